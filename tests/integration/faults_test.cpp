// The engine under faults (issue 6): with 5 % mixed faults on every endpoint
// family, repeated scheduled runs end with nothing missing, duplicated or
// unexpected, and the quarantine holds exactly the records the simulator
// rejected permanently; `crmsync retry --quarantined` then writes them.
#include <catch2/catch.hpp>

#include <string>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

constexpr int kMaxRuns = 8;

// Short timeouts and hangs keep the test in seconds: a hung response costs
// the engine one request timeout.
void UseShortTimeouts(const SimProcess& sim) {
  SetEngineOption(sim.config_path(), "request_timeout_seconds", "1");
  SetEngineOption(sim.config_path(), "retry_base_ms", "20");
  SetEngineOption(sim.config_path(), "retry_cap_ms", "200");
}

struct Outcome {
  std::int64_t quarantined = 0;   // summed over the runs
  int runs = 0;
};

// Scheduled runs until one completes (or kMaxRuns): each run resumes where
// the faults stopped the last one.
Outcome RunUntilComplete(const SimProcess& sim, const std::string& dir) {
  Outcome outcome;
  const std::string report = dir + "/report.json";
  for (int i = 0; i < kMaxRuns; ++i) {
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir + "/state", "--report", report,
                           "--quiet"},
                          std::chrono::seconds(120));
    INFO(run.output);
    REQUIRE((run.exit_code == 0 || run.exit_code == 3));
    const std::string json = ReadFile(report);
    const std::int64_t quarantined = JsonInt(json, "totals.quarantined");
    REQUIRE(quarantined >= 0);
    outcome.quarantined += quarantined;
    ++outcome.runs;
    if (run.exit_code == 0) break;
  }
  return outcome;
}

void CheckFaultsEndToEnd(const std::string& providers, const std::string& seed,
                         const std::string& object = "task") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", seed, "--tenants", "2", "--users", "8", "--messages", "20",
                              "--providers", providers, "--object", object});
  UseShortTimeouts(sim);
  const std::string plan = sim.Post(
      "/_sim/faults", R"({"seed":)" + seed + R"(,"rate":0.05,"latency_ms":[1,20],"retry_after_ms":20,"hang_ms":1500})");
  REQUIRE(JsonInt(plan, "config.seed") == std::stoll(seed));

  const Outcome outcome = RunUntilComplete(sim, dir.path());
  const std::string faults = sim.Get("/_sim/faults");
  INFO(faults);
  INFO("runs: " << outcome.runs);
  CHECK(JsonInt(faults, "injected_total") > 0);
  const std::int64_t rejected_by_sim = JsonInt(faults, "rejected");

  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 50);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(rejected_by_sim > 0);
  CHECK(JsonInt(v.raw, "rejected") == rejected_by_sim);
  CHECK(v.present + rejected_by_sim == v.expected);
  // The run reports counted each rejection (a copy of a rejected email in
  // another mailbox, read in a later run, is counted again).
  CHECK(outcome.quarantined >= rejected_by_sim);

  // The quarantine holds exactly the rejected keys; crmsync status counts it per tenant.
  auto status = RunCrmsync({"status", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(status.output);
  CHECK_THAT(status.output, Catch::Contains("Quarantined"));
  auto status_json =
      RunCrmsync({"status", "--config", sim.config_path(), "--state", dir.path() + "/state", "--json"});
  INFO(status_json.output);
  const std::int64_t in_state = JsonInt(status_json.output, "tenants.0.quarantined") +
                                JsonInt(status_json.output, "tenants.1.quarantined");
  CHECK(in_state == rejected_by_sim);

  // The administrator fixes the cause (here: the faults end) and retries.
  sim.Post("/_sim/faults", "{}");
  auto retry = RunCrmsync({"retry", "--quarantined", "--config", sim.config_path(), "--state",
                           dir.path() + "/state"});
  INFO(retry.output);
  CHECK(retry.exit_code == 0);
  v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(JsonInt(v.raw, "rejected") == 0);
  CHECK(v.present == v.expected);
  // Nothing left to retry.
  auto again = RunCrmsync({"retry", "--quarantined", "--config", sim.config_path(), "--state",
                           dir.path() + "/state"});
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("0 quarantined"));
}

}  // namespace

TEST_CASE("5 % mixed faults: a Microsoft 365 organization ends exactly once, rejects quarantined", "[faults]") {
  CheckFaultsEndToEnd("graph", "31");
}

TEST_CASE("5 % mixed faults: a Google Workspace organization ends exactly once, rejects quarantined", "[faults]") {
  CheckFaultsEndToEnd("gmail", "32");
}

TEST_CASE("5 % mixed faults with Enhanced Email: a rejected EmailMessage graph is quarantined whole", "[faults]") {
  CheckFaultsEndToEnd("graph", "31", "email-message");
}

TEST_CASE("writes whose answer is lost (reset after the write landed) are re-sent without duplicates", "[faults]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "33", "--tenants", "2", "--users", "4", "--messages", "10",
                              "--providers", "graph"});
  UseShortTimeouts(sim);
  // Half the upsert attempts lose their answer after the write landed. A run
  // sends few upserts (up to 200 records each), so new mail arrives between
  // rounds: every round adds at least one upsert per organization.
  sim.Post("/_sim/faults",
           R"({"seed":33,"families":{"salesforce_write":{"reset":0.5,"malformed_json":0.1,"hang":0.05},)"
           R"("salesforce_query":{"reset":0.1,"server_error":0.1}},"hang_ms":1500})");
  Outcome outcome;
  for (int round = 0; round < 5; ++round) {
    if (round > 0) sim.Post("/_sim/advance", R"({"messages": 2})");
    const Outcome o = RunUntilComplete(sim, dir.path());
    outcome.quarantined += o.quarantined;
    outcome.runs += o.runs;
  }
  const std::string faults = sim.Get("/_sim/faults");
  INFO(faults);
  INFO("runs: " << outcome.runs);
  CHECK(JsonInt(faults, "injected.salesforce_write.reset") > 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 50);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(outcome.quarantined == 0);
}

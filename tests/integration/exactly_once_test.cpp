// The exactly-once promise under SIGKILL and across incremental runs.
#include <catch2/catch.hpp>

#include <csignal>
#include <random>
#include <regex>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// Small mailbox pages make many checkpoints, so kills land between them.
void UseSmallPages(const std::string& config_path, int page_size) {
  const std::string config = ReadFile(config_path);
  WriteFile(config_path, std::regex_replace(config, std::regex(R"(\[tenants\.(microsoft|google)\])"),
                                            "$&\npage_size = " + std::to_string(page_size)));
}

}  // namespace

TEST_CASE("SIGKILL at random moments, then a rerun: every email exactly once", "[crash]") {
  const std::string provider = GENERATE(as<std::string>{}, "graph", "gmail");
  INFO("provider " << provider);
  TempDir dir;
  // Sized so that the first run outlasts most kill delays: the engine reads
  // tens of thousands of messages a second, and a run that finishes before
  // its kill proves nothing.
  SimProcess sim(dir.path(), {"--seed", "11", "--tenants", "2", "--users", "60", "--messages", "60",
                              "--providers", provider});
  UseSmallPages(sim.config_path(), 7);
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--quiet"};
  std::mt19937 rng(Catch::rngSeed());
  std::uniform_int_distribution<int> delay_ms(30, 400);
  int killed = 0;
  for (int round = 0; round < 6; ++round) {
    auto run = RunCrmsyncKilledAfter(args, std::chrono::milliseconds(delay_ms(rng)));
    if (run.signal == SIGKILL) ++killed;
    INFO(run.output);
    CHECK((run.signal == SIGKILL || run.exit_code == 0));
  }
  auto final_run = RunCrmsync(args);
  INFO(final_run.output);
  REQUIRE(final_run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  INFO("runs killed: " << killed);
  CHECK(killed >= 1);
  CHECK(v.expected > 100);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
}

TEST_CASE("an incremental run captures exactly the new mail and writes nothing old", "[incremental]") {
  const std::string provider = GENERATE(as<std::string>{}, "graph", "gmail");
  INFO("provider " << provider);
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "5", "--tenants", "2", "--users", "40", "--messages", "10",
                              "--providers", provider});
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--report", dir.path() + "/report.json"};
  auto first = RunCrmsync(args);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const Verify before = ParseVerify(sim.Get("/_sim/verify"));
  REQUIRE(before.missing == 0);
  const std::string stats_before = sim.Get("/_sim/stats");
  const auto created_before = JsonInt(stats_before, "records_created");
  const auto updated_before = JsonInt(stats_before, "records_updated");
  CHECK(created_before == before.expected);

  // A rerun with no new mail writes nothing at all.
  auto idle = RunCrmsync(args);
  REQUIRE(idle.exit_code == 0);
  CHECK(JsonInt(ReadFile(dir.path() + "/report.json"), "totals.captured") == 0);
  CHECK(JsonInt(sim.Get("/_sim/stats"), "records_created") == created_before);

  sim.Post("/_sim/advance", R"({"messages": 3})");
  const Verify grown = ParseVerify(sim.Get("/_sim/verify"));
  REQUIRE(grown.expected > before.expected);
  CHECK(grown.missing == grown.expected - before.expected);

  auto second = RunCrmsync(args);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  const Verify after = ParseVerify(sim.Get("/_sim/verify"));
  INFO(after.raw);
  CHECK(after.missing == 0);
  CHECK(after.duplicates == 0);
  CHECK(after.unexpected == 0);
  CHECK(after.mismatched == 0);
  const std::string stats_after = sim.Get("/_sim/stats");
  CHECK(JsonInt(stats_after, "records_created") - created_before == grown.expected - before.expected);
  CHECK(JsonInt(stats_after, "records_updated") == updated_before);
  CHECK(JsonInt(ReadFile(dir.path() + "/report.json"), "totals.captured") == grown.expected - before.expected);
}

// Enhanced Email end to end: against `crmsync-sim --object email-message`,
// every captured email becomes exactly one EmailMessage carrying one
// EmailMessageRelation (with its RelationId) per participant that is a
// Contact, Lead or User, across first runs, idle reruns, incremental runs
// and runs killed at random moments.
#include <catch2/catch.hpp>

#include <csignal>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

struct Case {
  const char* provider;
  const char* capture;
};

// The whole Enhanced Email promise at one moment: nothing missing, nothing
// twice, nothing the rules exclude, and every known participant related.
void CheckExactlyOnce(const Verify& v) {
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.isolation_violations == 0);
  CHECK(JsonInt(v.raw, "relations_missing") == 0);
}

// Small mailbox pages make many checkpoints, so kills land between them.
void UseSmallPages(const std::string& config_path, int page_size) {
  const std::string config = ReadFile(config_path);
  WriteFile(config_path, std::regex_replace(config, std::regex(R"(\[tenants\.(microsoft|google)\])"),
                                            "$&\npage_size = " + std::to_string(page_size)));
}

}  // namespace

TEST_CASE("Enhanced Email: first, idle and incremental runs write each email once with its relations",
          "[enhanced_email]") {
  auto c = GENERATE(Case{"graph", "automatic"}, Case{"gmail", "automatic"}, Case{"graph", "exclusions"},
                    Case{"graph", "selective"});
  INFO("--providers " << c.provider << " --capture " << c.capture);
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "17", "--tenants", "2", "--users", "12", "--messages", "15",
                              "--providers", c.provider, "--capture", c.capture, "--object", "email-message"});
  REQUIRE_THAT(ReadFile(sim.config_path()), Catch::Contains("object_model = \"enhanced_email\""));
  const std::string report_path = dir.path() + "/report.json";
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--report", report_path};

  auto first = RunCrmsync(args);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const Verify before = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(before.expected > 20);
  CHECK(before.present == before.expected);
  CheckExactlyOnce(before);
  CHECK(JsonInt(ReadFile(report_path), "totals.captured") == before.expected);
  CHECK(JsonInt(ReadFile(report_path), "totals.errors") == 0);

  // A rerun with no new mail captures nothing and duplicates nothing.
  auto idle = RunCrmsync(args);
  INFO(idle.output);
  REQUIRE(idle.exit_code == 0);
  CHECK(JsonInt(ReadFile(report_path), "totals.captured") == 0);
  CheckExactlyOnce(ParseVerify(sim.Get("/_sim/verify")));

  sim.Post("/_sim/advance", R"({"messages": 3})");
  const Verify grown = ParseVerify(sim.Get("/_sim/verify"));
  REQUIRE(grown.expected > before.expected);
  CHECK(grown.missing == grown.expected - before.expected);

  auto second = RunCrmsync(args);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  const Verify after = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(after.present == after.expected);
  CheckExactlyOnce(after);
  // Only the new mail was captured: the ledger kept the old keys from being re-sent.
  CHECK(JsonInt(ReadFile(report_path), "totals.captured") == grown.expected - before.expected);
}

TEST_CASE("Enhanced Email: runs killed at random moments, then a rerun, leave each email once with its relations",
          "[enhanced_email][crash]") {
  const std::string provider = GENERATE(as<std::string>{}, "graph", "gmail");
  INFO("provider " << provider);
  TempDir dir;
  // Sized so that the first run outlasts most kill delays (see exactly_once_test).
  SimProcess sim(dir.path(), {"--seed", "23", "--tenants", "2", "--users", "40", "--messages", "40",
                              "--providers", provider, "--object", "email-message"});
  UseSmallPages(sim.config_path(), 7);
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--quiet"};
  std::mt19937 rng(Catch::rngSeed());
  std::uniform_int_distribution<int> delay_ms(30, 400);
  int killed = 0;
  for (int round = 0; round < 4; ++round) {
    auto run = RunCrmsyncKilledAfter(args, std::chrono::milliseconds(delay_ms(rng)));
    if (run.signal == SIGKILL) ++killed;
    INFO(run.output);
    CHECK((run.signal == SIGKILL || run.exit_code == 0));
  }
  auto final_run = RunCrmsync(args);
  INFO(final_run.output);
  REQUIRE(final_run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO("runs killed: " << killed);
  CHECK(killed >= 1);
  CHECK(v.expected > 50);
  CHECK(v.present == v.expected);
  CheckExactlyOnce(v);

  // And once more with nothing new: still no duplicates.
  auto rerun = RunCrmsync(args);
  INFO(rerun.output);
  REQUIRE(rerun.exit_code == 0);
  CheckExactlyOnce(ParseVerify(sim.Get("/_sim/verify")));
}

// Exchange organizations read through EWS with impersonation: a full run, an
// incremental run that captures only new mail, and a mixed Graph + EWS run.
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace crmsync::harness;

TEST_CASE("an EWS organization is captured exactly once, then only its new mail", "[ews]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "17", "--tenants", "2", "--users", "12", "--messages", "9",
                              "--providers", "ews"});
  const std::string config = ReadFile(sim.config_path());
  REQUIRE(config.find("[tenants.exchange]") != std::string::npos);
  CHECK(config.find("[tenants.microsoft]") == std::string::npos);
  CHECK(config.find("/EWS/Exchange.asmx") != std::string::npos);

  const std::string report = dir.path() + "/report.json";
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--report", report};
  auto first = RunCrmsync(args);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 20);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(JsonInt(ReadFile(report), "totals.captured") == v.expected);
  const std::string stats = sim.Get("/_sim/stats");
  CHECK(stats.find("ews.sync") != std::string::npos);
  CHECK(stats.find("ews.getitem") != std::string::npos);

  const auto updated_before = JsonInt(stats, "records_updated");

  // Caught up: a rerun with no new mail writes nothing.
  auto idle = RunCrmsync(args);
  INFO(idle.output);
  REQUIRE(idle.exit_code == 0);
  CHECK(JsonInt(ReadFile(report), "totals.captured") == 0);

  sim.Post("/_sim/advance", R"({"messages": 2})");
  const Verify grown = ParseVerify(sim.Get("/_sim/verify"));
  REQUIRE(grown.expected > v.expected);
  auto second = RunCrmsync(args);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  const Verify after = ParseVerify(sim.Get("/_sim/verify"));
  INFO(after.raw);
  CHECK(after.missing == 0);
  CHECK(after.duplicates == 0);
  CHECK(after.unexpected == 0);
  CHECK(after.mismatched == 0);
  // Only the new mail was read and written by the second run.
  CHECK(JsonInt(ReadFile(report), "totals.captured") == after.expected - v.expected);
  CHECK(JsonInt(sim.Get("/_sim/stats"), "records_updated") == updated_before);
}

TEST_CASE("a mixed run of Graph and EWS organizations completes exactly once", "[ews]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "23", "--tenants", "4", "--users", "10", "--messages", "8",
                              "--providers", "graph,ews", "--token-ttl", "2"});
  const std::string config = ReadFile(sim.config_path());
  CHECK(config.find("[tenants.exchange]") != std::string::npos);
  CHECK(config.find("[tenants.microsoft]") != std::string::npos);
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 40);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.isolation_violations == 0);
  for (const char* tenant : {"tenant-1", "tenant-2", "tenant-3", "tenant-4"}) {
    INFO(tenant);
    CHECK(JsonInt(v.raw, std::string("tenants.") + tenant + ".present") > 0);
  }
}

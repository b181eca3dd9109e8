// crmsync run --metrics-file, the run history (runs list / show) and the
// metrics file crmsync serve answers GET /metrics with, as real processes
// against crmsync-sim.
#include <catch2/catch.hpp>

#include <filesystem>

#include "harness.hpp"
#include "promtool.hpp"

using namespace crmsync::harness;

TEST_CASE("a run writes its metrics and its report into the history", "[ops][e2e]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "5", "--tenants", "2", "--users", "4", "--messages", "6"});
  const std::string state = dir.path() + "/state";
  const std::string metrics = dir.path() + "/crmsync.prom";
  auto first = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--metrics-file", metrics,
                           "--report", dir.path() + "/r1.json", "--quiet"});
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const std::string text = ReadFile(metrics);
  INFO(text);
  const std::string report = ReadFile(dir.path() + "/r1.json");
  const std::int64_t read = JsonInt(report, "tenants.0.messages_read");
  REQUIRE(read > 0);
  CHECK_THAT(text, Catch::Contains("crmsync_messages_read_total{tenant=\"tenant-1\"} " + std::to_string(read) + "\n"));
  CHECK_THAT(text, Catch::Contains("crmsync_users{tenant=\"tenant-1\",status=\"active\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("crmsync_lag_seconds{tenant=\"tenant-2\"} "));
  CHECK_THAT(text, Catch::Contains("outcome=\"ok\"}"));
  CHECK_FALSE(std::filesystem::exists(metrics + ".tmp"));
  // The state keeps the same text for `crmsync serve`'s GET /metrics.
  CHECK(ReadFile(state + "/metrics.prom") == text);
  if (crmsync::ops_test::HavePromtool()) {
    const auto check = crmsync::ops_test::PromtoolCheck(metrics);
    INFO(check.output);
    CHECK(check.exit_code == 0);
  } else {
    WARN("promtool not found (Debian package prometheus): format check skipped");
  }

  auto second = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--quiet"});
  REQUIRE(second.exit_code == 0);
  auto list = RunCrmsync({"runs", "list", "--state", state, "--json"});
  INFO(list.output);
  REQUIRE(list.exit_code == 0);
  const std::string key = "\"run_id\":\"";
  const std::size_t id_start = report.find(key) + key.size();
  const std::string run_id = report.substr(id_start, report.find('"', id_start) - id_start);
  CHECK_THAT(list.output, Catch::Contains("\"id\":\"" + run_id + "\""));
  CHECK(JsonInt(list.output, "1.read") == JsonInt(report, "totals.messages_read"));
  CHECK(JsonInt(list.output, "1.captured") == JsonInt(report, "totals.captured"));
  CHECK(JsonInt(list.output, "0.read") == 0);   // the second run found nothing new
  CHECK(JsonInt(list.output, "2.read") == -1);  // two runs, newest first

  auto table = RunCrmsync({"runs", "list", "--config", sim.config_path(), "--state", state});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.output, Catch::Contains("complete"));

  auto show = RunCrmsync({"runs", "show", run_id, "--state", state});
  REQUIRE(show.exit_code == 0);
  CHECK(show.output == report);
  auto missing = RunCrmsync({"runs", "show", "20000101T000000Z-1-1", "--state", state});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Catch::Contains("no run 20000101T000000Z-1-1"));
}

TEST_CASE("run --log-format json at debug level: JSON lines, no secret", "[ops][log]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "4", "--tenants", "2", "--users", "2", "--messages", "2"});
  std::string config = ReadFile(sim.config_path());
  // Plant a marker as tenant-1's Microsoft secret: the grant fails and is
  // logged, and the marker must not be.
  const std::string key = "client_secret = \"";
  const std::size_t start = config.find(key) + key.size();
  config.replace(start, config.find('"', start) - start, "log-planted-marker-secret-0042");
  WriteFile(sim.config_path(), config);
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--quiet",
                         "--log-format", "json", "--log-level", "debug"});
  INFO(run.output);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.output, !Catch::Contains("log-planted-marker-secret-0042"));
  // Nor any other secret of the configuration.
  for (std::size_t at = config.find(key); at != std::string::npos; at = config.find(key, at + 1)) {
    const std::size_t value = at + key.size();
    CHECK_THAT(run.output, !Catch::Contains(config.substr(value, config.find('"', value) - value)));
  }
  CHECK_THAT(run.output, Catch::Contains("\"level\":\"warn\""));
  CHECK_THAT(run.output, Catch::Contains("\"level\":\"debug\""));
  CHECK_THAT(run.output, Catch::Contains("\"tenant\":\"tenant-1\""));
  CHECK_THAT(run.output, Catch::Contains("AADSTS7000215"));
  auto bad = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--log-format", "xml"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("--log-format \"xml\" is not one of plain, json"));
}

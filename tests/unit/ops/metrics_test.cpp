// The Prometheus exposition of a run: exact values, label escaping, promtool,
// gauges from the state, and the atomic file write.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "crmsync/engine/metrics.hpp"
#include "crmsync/state/store.hpp"
#include "promtool.hpp"
#include "temp_dir.hpp"

namespace {

using namespace crmsync;
using namespace crmsync::engine;

RunReport SampleReport() {
  RunReport report;
  report.run_id = "20261124T040000Z-1-1";
  report.started_at = "2026-11-24T04:00:00Z";
  report.finished_at = "2026-11-24T04:00:02Z";
  report.duration_seconds = 2.5;
  TenantReport a;
  a.id = "acme";
  a.messages_read = 120;
  a.captured = 80;
  a.deduplicated = 7;
  a.quarantined = 2;
  a.error_count = 1;
  a.skipped[static_cast<int>(SkipReason::kInternalOnly)] = 30;
  a.skipped[static_cast<int>(SkipReason::kBulk)] = 1;
  a.api.mailbox_pages = 12;
  a.api.salesforce_upserts = 3;
  TenantReport b;
  b.id = "we\"ird\\ten\nant";
  b.messages_read = 5;
  report.tenants = {a, b};
  Finalize(report);
  AddCallOutcomes(report, {{{"graph.delta", "ok"}, 10},
                           {{"graph.delta", "throttled"}, 2},
                           {{"salesforce.upsert", "ok"}, 3},
                           {{"auth.client_credentials", "client_error"}, 1}});
  return report;
}

std::vector<TenantGauges> SampleGauges() {
  TenantGauges acme;
  acme.tenant = "acme";
  acme.users = {{"active", 4}, {"pending", 1}, {"suspended", 0}, {"disabled", 0}};
  acme.lag_seconds = 90.5;
  return {acme};
}

bool HasLine(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("metrics: exact values of the run report and the gauges", "[metrics]") {
  auto text = RenderMetrics(SampleReport().ToJson(), SampleGauges());
  REQUIRE(text.ok());
  const std::string& m = text.value();
  INFO(m);
  CHECK(HasLine(m, "# TYPE crmsync_messages_read_total counter"));
  CHECK(HasLine(m, "crmsync_messages_read_total{tenant=\"acme\"} 120"));
  CHECK(HasLine(m, "crmsync_captured_total{tenant=\"acme\"} 80"));
  CHECK(HasLine(m, "crmsync_deduplicated_total{tenant=\"acme\"} 7"));
  CHECK(HasLine(m, "crmsync_quarantined_total{tenant=\"acme\"} 2"));
  CHECK(HasLine(m, "crmsync_errors_total{tenant=\"acme\"} 1"));
  CHECK(HasLine(m, "crmsync_skipped_total{tenant=\"acme\",reason=\"internal_only\"} 30"));
  CHECK(HasLine(m, "crmsync_skipped_total{tenant=\"acme\",reason=\"bulk\"} 1"));
  CHECK(HasLine(m, "crmsync_skipped_total{tenant=\"acme\",reason=\"draft\"} 0"));
  CHECK(HasLine(m, "crmsync_tenant_api_calls_total{tenant=\"acme\",call=\"mailbox_pages\"} 12"));
  CHECK(HasLine(m, "crmsync_api_calls_total{service=\"graph\",kind=\"graph.delta\",outcome=\"throttled\"} 2"));
  CHECK(HasLine(m, "crmsync_api_calls_total{service=\"auth\",kind=\"auth.client_credentials\",outcome=\"client_error\"} 1"));
  CHECK(HasLine(m, "crmsync_throttled_total{service=\"graph\"} 2"));
  CHECK(HasLine(m, "crmsync_throttled_total{service=\"salesforce\"} 0"));
  CHECK(HasLine(m, "# TYPE crmsync_users gauge"));
  CHECK(HasLine(m, "crmsync_users{tenant=\"acme\",status=\"active\"} 4"));
  CHECK(HasLine(m, "crmsync_users{tenant=\"acme\",status=\"pending\"} 1"));
  CHECK(HasLine(m, "crmsync_lag_seconds{tenant=\"acme\"} 90.5"));
  CHECK(HasLine(m, "crmsync_last_run_duration_seconds 2.5"));
  CHECK(HasLine(m, "crmsync_last_run_exit_code 3"));
  // Label values are escaped: backslash, double quote, newline.
  CHECK(HasLine(m, "crmsync_messages_read_total{tenant=\"we\\\"ird\\\\ten\\nant\"} 5"));
}

TEST_CASE("metrics: promtool accepts the exposition", "[metrics][promtool]") {
  if (!ops_test::HavePromtool()) {
    WARN("promtool not found: install Debian's prometheus package (tools/install-deps does); check skipped");
    return;
  }
  testing::TempDir dir;
  auto text = RenderMetrics(SampleReport().ToJson(), SampleGauges());
  REQUIRE(text.ok());
  const std::string path = dir.Sub("crmsync.prom");
  REQUIRE(WriteFileAtomically(path, text.value()).ok());
  const auto result = ops_test::PromtoolCheck(path);
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.empty());
  // And promtool is strict enough to catch a broken file.
  REQUIRE(WriteFileAtomically(path, "crmsync_users{tenant=\"a} 1\n").ok());
  CHECK(ops_test::PromtoolCheck(path).exit_code != 0);
}

TEST_CASE("metrics: a malformed report is an error, never a crash", "[metrics]") {
  for (const std::string& bad : {std::string(""), std::string("{"), std::string("[1,2]"), std::string("{\"tenants\":3}"),
                                std::string("{\"tenants\":[],\"duration_seconds\":1}"),
                                std::string("{\"tenants\":[{\"id\":\"a\"}],\"duration_seconds\":1,\"exit_code\":0}"),
                                std::string("{\"tenants\":[\xff],\"duration_seconds\":1}")}) {
    auto text = RenderMetrics(bad, {});
    INFO(bad);
    CHECK_FALSE(text.ok());
  }
  const std::string json = SampleReport().ToJson();
  CHECK_FALSE(RenderMetrics(json.substr(0, json.size() / 2), {}).ok());
}

TEST_CASE("metrics: gauges from the state, lag from the oldest complete read", "[metrics]") {
  testing::TempDir dir;
  auto store = state::Store::Open(dir.Sub("state"));
  REQUIRE(store.ok());
  state::UserRecord old_read, recent, never, pending;
  old_read.status = recent.status = never.status = "active";
  old_read.last_success_unix_ms = 1'000'000;
  recent.last_success_unix_ms = 1'500'000;
  never.status_since_unix_ms = 1'200'000;
  pending.status = "pending";
  REQUIRE(store.value()->PutUsers("acme", {{"u1", old_read}, {"u2", recent}, {"u3", never}, {"u4", pending}}).ok());
  Config config;
  config.tenants.resize(2);
  config.tenants[0].id = "acme";
  config.tenants[1].id = "empty";
  auto gauges = ReadTenantGauges(*store.value(), config, 2'000'000);
  REQUIRE(gauges.ok());
  REQUIRE(gauges.value().size() == 2);
  CHECK(gauges.value()[0].users.at("active") == 3);
  CHECK(gauges.value()[0].users.at("pending") == 1);
  CHECK(gauges.value()[0].users.at("disabled") == 0);
  REQUIRE(gauges.value()[0].lag_seconds.has_value());
  CHECK(*gauges.value()[0].lag_seconds == Approx(1000.0));
  CHECK_FALSE(gauges.value()[1].lag_seconds.has_value());
  CHECK(gauges.value()[1].users.at("active") == 0);
}

TEST_CASE("metrics: the file is replaced atomically, no temporary left", "[metrics]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("m.prom");
  REQUIRE(WriteFileAtomically(path, "a 1\n").ok());
  REQUIRE(WriteFileAtomically(path, "b 2\n").ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "b 2\n");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  const Status bad = WriteFileAtomically(dir.Sub("missing/dir/m.prom"), "x");
  CHECK_FALSE(bad.ok());
  CHECK_THAT(bad.message(), Catch::Contains("missing/dir/m.prom.tmp"));
}

TEST_CASE("run history: PruneRuns keeps the newest runs", "[metrics][runs]") {
  testing::TempDir dir;
  auto store = state::Store::Open(dir.Sub("state"));
  REQUIRE(store.ok());
  for (int i = 0; i < 7; ++i) {
    REQUIRE(store.value()->PutRun(fmt::format("20261124T04000{}Z-1-1", i), fmt::format("{{\"n\":{}}}", i)).ok());
  }
  auto pruned = store.value()->PruneRuns(3);
  REQUIRE(pruned.ok());
  CHECK(pruned.value() == 4);
  auto ids = store.value()->ListRuns(100);
  REQUIRE(ids.ok());
  CHECK(ids.value() == std::vector<std::string>{"20261124T040006Z-1-1", "20261124T040005Z-1-1", "20261124T040004Z-1-1"});
  auto again = store.value()->PruneRuns(3);
  REQUIRE(again.ok());
  CHECK(again.value() == 0);
}

// crmsync run --log-format json --log-level debug: events as they happen,
// each a JSON line with tenant / user / stream fields (a stream that failed,
// a malformed page, a user suspended, a record quarantined, streams started
// and ended), against crmsync-sim with injected faults. No secret appears.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

struct Event {
  std::string level, msg, tenant, user, stream;
};

std::string Field(simdjson::dom::object& object, const char* name) {
  std::string_view value;
  if (object[name].get_string().get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

// Every line of the output is one JSON object with ts, level and msg.
std::vector<Event> ParseLines(const std::string& output) {
  std::vector<Event> events;
  simdjson::dom::parser parser;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    INFO(line);
    simdjson::dom::object object;
    REQUIRE(parser.parse(line).get_object().get(object) == simdjson::SUCCESS);
    Event e{Field(object, "level"), Field(object, "msg"), Field(object, "tenant"), Field(object, "user"),
            Field(object, "stream")};
    REQUIRE(Field(object, "ts").size() == 24);   // 2026-11-24T07:00:00.000Z
    REQUIRE_FALSE(e.level.empty());
    REQUIRE_FALSE(e.msg.empty());
    events.push_back(std::move(e));
  }
  return events;
}

std::vector<Event> Matching(const std::vector<Event>& events, const std::string& level, const std::string& text) {
  std::vector<Event> out;
  for (const Event& e : events) {
    if (e.level == level && e.msg.find(text) != std::string::npos) out.push_back(e);
  }
  return out;
}

bool IsMailStream(const std::string& stream) { return stream == "mail/inbox" || stream == "mail/sentitems"; }

}  // namespace

TEST_CASE("run --log-format json: events as they happen carry tenant, user and stream", "[ops][log]") {
  TempDir dir;
  // tenant-1 on Microsoft Graph, tenant-2 on Exchange (EWS).
  SimProcess sim(dir.path(), {"--seed", "21", "--tenants", "2", "--users", "5", "--messages", "12", "--providers",
                              "graph,ews"});
  const std::string state = dir.path() + "/state";
  auto first = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--quiet"});
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  auto status = RunCrmsync({"status", "--config", sim.config_path(), "--state", state, "--tenant", "tenant-1",
                            "--json"});
  simdjson::dom::parser parser;
  simdjson::dom::element status_json;
  REQUIRE(parser.parse(status.output).get(status_json) == simdjson::SUCCESS);
  std::string_view victim_view;
  REQUIRE(status_json["tenants"].at(0)["user_details"].at(0)["address"].get_string().get(victim_view) ==
          simdjson::SUCCESS);
  const std::string victim(victim_view);

  // New mail; one Graph user loses mailbox access; EWS answers are cut in
  // half now and then; Salesforce rejects some records for good.
  sim.Post("/_sim/advance", R"({"messages": 12})");
  sim.Post("/_sim/revoke-mailbox?tenant=tenant-1&user=" + victim, "");
  sim.Post("/_sim/faults", R"({"seed":21,"families":{"ews":{"malformed_json":0.3}},"record_errors":0.2})");
  const std::string report_path = dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--quiet", "--report", report_path,
                         "--log-format", "json", "--log-level", "debug"});
  INFO(run.output);
  CHECK(run.exit_code == 3);
  const std::vector<Event> events = ParseLines(run.output);
  const std::string report = ReadFile(report_path);

  // The revoked user: suspended, with the reason, as it happened.
  const auto suspended = Matching(events, "warn", "user suspended: mailbox access revoked");
  REQUIRE(suspended.size() == 1);
  CHECK(suspended[0].tenant == "tenant-1");
  CHECK(suspended[0].user == victim);
  // The stream that hit it failed with its error, under the same fields.
  bool victim_stream_failed = false;
  for (const Event& e : Matching(events, "warn", "user " + victim + " mail/")) {
    victim_stream_failed = victim_stream_failed || (e.tenant == "tenant-1" && e.user == victim && IsMailStream(e.stream));
  }
  CHECK(victim_stream_failed);

  // EWS pages cut in half: streams of tenant-2 failed, each event naming its user and stream.
  std::vector<Event> ews_failures;
  for (const Event& e : events) {
    if (e.level == "warn" && e.tenant == "tenant-2" && !e.user.empty()) ews_failures.push_back(e);
  }
  REQUIRE_FALSE(ews_failures.empty());
  for (const Event& e : ews_failures) {
    CHECK(IsMailStream(e.stream));
    CHECK(e.msg.find("user " + e.user + " " + e.stream + ": ") == 0);
  }
  CHECK(ews_failures.size() == static_cast<std::size_t>(JsonInt(report, "tenants.1.error_count")));

  // Quarantined records: one info event each, key and error code, no content.
  const auto quarantined = Matching(events, "info", "record quarantined: key ");
  const std::int64_t total_quarantined = JsonInt(report, "totals.quarantined");
  REQUIRE(total_quarantined > 0);
  CHECK(quarantined.size() == static_cast<std::size_t>(total_quarantined));
  for (const Event& e : quarantined) {
    CHECK((e.tenant == "tenant-1" || e.tenant == "tenant-2"));
    CHECK(e.user.find('@') != std::string::npos);
    CHECK(IsMailStream(e.stream));
    CHECK(e.msg.size() < 200);   // a key and an error code, never a payload
  }

  // Debug: every stream launched starts and ends, with its count.
  const auto started = Matching(events, "debug", "stream started");
  const auto ended = Matching(events, "debug", "stream ended: ");
  CHECK(started.size() == static_cast<std::size_t>(JsonInt(report, "tenants.0.streams") +
                                                   JsonInt(report, "tenants.1.streams")));
  CHECK(ended.size() == started.size());
  for (const Event& e : started) {
    CHECK_FALSE(e.tenant.empty());
    CHECK(e.user.find('@') != std::string::npos);
    CHECK(IsMailStream(e.stream));
  }
  // The end-of-run events follow: per tenant, then the run.
  CHECK(Matching(events, "warn", "tenant partial").size() + Matching(events, "info", "tenant ok").size() == 2);
  CHECK_FALSE(Matching(events, "warn", "run ").empty());

  // No secret of the configuration in any line.
  const std::string config = ReadFile(sim.config_path());
  for (const std::string key : {"client_secret = \"", "refresh_token = \""}) {
    for (std::size_t at = config.find(key); at != std::string::npos; at = config.find(key, at + 1)) {
      const std::size_t value = at + key.size();
      CHECK_THAT(run.output, !Catch::Contains(config.substr(value, config.find('"', value) - value)));
    }
  }
}

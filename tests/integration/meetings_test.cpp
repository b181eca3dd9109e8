// Calendars end to end (capture.calendar): meetings with an external CRM
// attendee become one Salesforce Event per iCalUID for Graph and Google
// tenants, a cancellation re-writes the Event marked, and a rerun with
// nothing new writes nothing. The simulator's /_sim/verify "events" section
// is the ground truth (tools/sim/event_verify.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "verify_checks.hpp"

using namespace crmsync::harness;

namespace {

// The window covers every meeting the simulator generates (its clock starts
// on 2026-11-01; meetings lie from 7 days before to 14 days after it).
constexpr const char* kMeetings =
    "calendar = \"meetings\"\ncalendar_anchor = \"2026-11-01\"\ncalendar_past_days = 30\ncalendar_future_days = 60\n";

// `crmsync run` with the calendar configuration; it must exit 0. Its report.
std::string RunCalendar(const std::string& config, const std::string& state, const std::string& report) {
  auto result = RunCrmsync({"run", "--config", config, "--state", state, "--report", report});
  INFO(result.output);
  INFO(ReadFile(report));
  REQUIRE(result.exit_code == 0);
  return ReadFile(report);
}

std::int64_t SumCalendar(const std::string& report, int tenants, const std::string& field) {
  std::int64_t sum = 0;
  for (int t = 0; t < tenants; ++t) {
    std::int64_t n = JsonInt(report, "tenants." + std::to_string(t) + ".calendar." + field);
    if (field.rfind("skipped.", 0) == 0) n = std::max<std::int64_t>(n, 0);   // reasons that never happened are absent
    REQUIRE(n >= 0);
    sum += n;
  }
  return sum;
}


}  // namespace

TEST_CASE("meetings become one Event per iCalUID, cancellations mark it, reruns write nothing", "[meetings]") {
  constexpr int kTenants = 2;
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "17", "--tenants", std::to_string(kTenants), "--users", "6", "--messages",
                              "2", "--providers", "graph,gmail"});
  const std::string config = dir.path() + "/calendar.toml";
  WriteFile(config, WithCapture(ReadFile(sim.config_path()), kMeetings));
  const std::string state = dir.path() + "/state";
  auto run = [&](const std::string& report) { return RunCalendar(config, state, report); };

  const std::string first = run(dir.path() + "/first.json");
  std::string verify = sim.Get("/_sim/verify");
  INFO(verify);
  INFO(first);
  CheckEventsExact(verify);
  CHECK(JsonInt(verify, "missing") == 0);   // mail is still captured as before
  for (int t = 0; t < kTenants; ++t) {
    const std::string tenant = "tenants." + std::to_string(t) + ".calendar.";
    CHECK(JsonInt(first, tenant + "events_written") > 0);   // Graph and Google alike
    CHECK(JsonInt(first, tenant + "calendars") == 6);
  }
  const std::int64_t expected = JsonInt(verify, "events.expected");
  CHECK(SumCalendar(first, kTenants, "events_written") == expected);
  CHECK(SumCalendar(first, kTenants, "created") == expected);
  // Copies in several calendars fold into one record, and every copy read is accounted for.
  const std::int64_t read = SumCalendar(first, kTenants, "meetings_read");
  const std::int64_t folded = SumCalendar(first, kTenants, "skipped.deduplicated");
  CHECK(folded > 0);
  CHECK(SumCalendar(first, kTenants, "skipped.no_external_attendee") > 0);
  CHECK(read == expected + folded + SumCalendar(first, kTenants, "skipped.no_external_attendee") +
                    SumCalendar(first, kTenants, "skipped.no_crm_match"));

  SECTION("a rerun with nothing new writes nothing") {
    const std::string again = run(dir.path() + "/again.json");
    INFO(again);
    CHECK(SumCalendar(again, kTenants, "meetings_read") == 0);
    CHECK(SumCalendar(again, kTenants, "events_written") == 0);
    CheckEventsExact(sim.Get("/_sim/verify"));
  }

  SECTION("new and cancelled meetings are written on the next run, cancellations marked") {
    sim.Post("/_sim/advance", R"({"messages": 1})");
    const std::string stale = sim.Get("/_sim/verify");
    INFO(stale);
    CHECK(JsonInt(stale, "events.cancelled") > 0);
    CHECK(JsonInt(stale, "events.mismatched") > 0);   // cancelled, not yet marked
    const std::string next = run(dir.path() + "/next.json");
    INFO(next);
    const std::string fresh = sim.Get("/_sim/verify");
    INFO(fresh);
    CheckEventsExact(fresh);
    CHECK(SumCalendar(next, kTenants, "cancelled") > 0);
    CHECK(SumCalendar(next, kTenants, "updated") > 0);
    CHECK(SumCalendar(next, kTenants, "created") > 0);
    CHECK(JsonInt(fresh, "events.expected") > expected);
    const std::string last = run(dir.path() + "/last.json");
    CHECK(SumCalendar(last, kTenants, "events_written") == 0);
  }
}

TEST_CASE("meetings changed in place update their Event, never a second one", "[meetings][changes]") {
  constexpr int kTenants = 2;
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "29", "--tenants", std::to_string(kTenants), "--users", "6", "--messages",
                              "1", "--providers", "graph,gmail", "--meeting-changes"});
  const std::string config = dir.path() + "/calendar.toml";
  WriteFile(config, WithCapture(ReadFile(sim.config_path()), kMeetings));
  const std::string state = dir.path() + "/state";
  auto run = [&](const std::string& report) { return RunCalendar(config, state, report); };
  run(dir.path() + "/first.json");
  const std::string before = sim.Get("/_sim/verify");
  INFO(before);
  CheckEventsExact(before);
  CHECK(JsonInt(before, "events.changed") == 0);

  sim.Post("/_sim/advance", R"({"messages": 1})");
  const std::string stale = sim.Get("/_sim/verify");
  INFO(stale);
  // Subject, times, location (and attendees) changed at the source; the Events still show the old version.
  CHECK(JsonInt(stale, "events.changed") > 0);
  const std::int64_t outdated = JsonInt(stale, "events.mismatched");
  CHECK(outdated > 0);
  CHECK_THAT(stale, Catch::Contains("(moved)"));   // a mismatch example names the new subject
  const std::string next = run(dir.path() + "/next.json");
  INFO(next);
  const std::string fresh = sim.Get("/_sim/verify");
  INFO(fresh);
  CheckEventsExact(fresh);   // every field is the latest version's, and no key twice
  CHECK(JsonInt(fresh, "events.changed") == JsonInt(stale, "events.changed"));
  CHECK(SumCalendar(next, kTenants, "updated") >= outdated);
  const std::string last = run(dir.path() + "/last.json");
  CHECK(SumCalendar(last, kTenants, "events_written") == 0);
  CheckEventsExact(sim.Get("/_sim/verify"));
}

namespace {

std::int64_t Calls(const std::string& stats, const char* family) {
  return std::max<std::int64_t>(0, JsonInt(stats, std::vector<std::string>{"endpoints", family, "200"}));
}

}  // namespace

TEST_CASE("free/busy only reads getSchedule and freeBusy, never event details, and writes busy Events",
          "[meetings][freebusy]") {
  constexpr int kTenants = 2;
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "23", "--tenants", std::to_string(kTenants), "--users", "5", "--messages",
                              "2", "--providers", "graph,gmail"});
  const std::string config = dir.path() + "/freebusy.toml";
  WriteFile(config, WithCapture(ReadFile(sim.config_path()),
                                "calendar = \"free_busy\"\ncalendar_anchor = \"2026-11-01\"\nfreebusy_days = 14\n"));
  const std::string state = dir.path() + "/state";
  auto run = [&](const std::string& report) { return RunCalendar(config, state, report); };
  const std::string verify_path = "/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z";

  const std::string first = run(dir.path() + "/first.json");
  const std::string stats = sim.Get("/_sim/stats");
  const std::string verify = sim.Get(verify_path);
  INFO(first);
  INFO(stats);
  INFO(verify);
  CheckEventsExact(verify);
  CHECK(JsonInt(verify, "missing") == 0);   // mail is captured as usual
  CHECK(SumCalendar(first, kTenants, "busy_slots") > 0);
  CHECK(SumCalendar(first, kTenants, "events_written") == JsonInt(verify, "events.expected"));
  CHECK(SumCalendar(first, kTenants, "meetings_read") == 0);
  // One getSchedule (Graph, all 5 users in one request) and one freeBusy
  // (Google) per run; the detail endpoints are never called.
  CHECK(Calls(stats, "graph.get_schedule") == 1);
  CHECK(Calls(stats, "google.freebusy") == 1);
  CHECK(JsonInt(stats, std::vector<std::string>{"endpoints", "graph.calendar_delta"}) == -1);
  CHECK(JsonInt(stats, std::vector<std::string>{"endpoints", "google.calendar_events"}) == -1);

  // A second run reads no new mail, so any detail read would be a calendar's.
  const std::int64_t detail_reads = JsonInt(stats, "detail_reads");
  const std::string second = run(dir.path() + "/second.json");
  const std::string stats2 = sim.Get("/_sim/stats");
  INFO(second);
  INFO(stats2);
  CHECK(JsonInt(stats2, "detail_reads") == detail_reads);
  CHECK(Calls(stats2, "graph.get_schedule") == 2);
  CHECK(Calls(stats2, "google.freebusy") == 2);
  CHECK(JsonInt(stats2, std::vector<std::string>{"endpoints", "graph.calendar_delta"}) == -1);
  CHECK(JsonInt(stats2, std::vector<std::string>{"endpoints", "google.calendar_events"}) == -1);
  CheckEventsExact(sim.Get(verify_path));
  CHECK(SumCalendar(second, kTenants, "created") == 0);   // the same slots, upserted on their keys

  // Meetings cancelled by a new epoch release their slots.
  sim.Post("/_sim/advance", R"({"messages": 1})");
  const std::string third = run(dir.path() + "/third.json");
  INFO(third);
  CHECK(SumCalendar(third, kTenants, "busy_released") > 0);
  CheckEventsExact(sim.Get(verify_path));
}

TEST_CASE("free/busy with Salesforce Scheduler writes ResourceAbsences of each user's ServiceResource",
          "[meetings][freebusy][scheduler]") {
  constexpr int kTenants = 2;
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "29", "--tenants", std::to_string(kTenants), "--users", "4", "--messages",
                              "1", "--providers", "graph,gmail", "--scheduler", "--meeting-changes"});
  const std::string config = dir.path() + "/scheduler.toml";
  WriteFile(config, WithCapture(ReadFile(sim.config_path()),
                                "calendar = \"free_busy\"\ncalendar_anchor = \"2026-11-01\"\nfreebusy_days = 14\n"));
  const std::string report_path = dir.path() + "/report.json";
  auto result = RunCrmsync({"run", "--config", config, "--state", dir.path() + "/state", "--report", report_path});
  INFO(result.output);
  const std::string report = ReadFile(report_path);
  INFO(report);
  REQUIRE(result.exit_code == 0);
  // Absences expected, and not one busy Event (verify counts any as unexpected).
  const std::string verify = sim.Get("/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z");
  INFO(verify);
  CheckEventsExact(verify);
  CHECK(SumCalendar(report, kTenants, "events_written") == JsonInt(verify, "events.expected"));
  CHECK(SumCalendar(report, kTenants, "busy_slots") >= JsonInt(verify, "events.expected"));

  // Cancelled and moved meetings release their slots: the absences are deleted.
  sim.Post("/_sim/advance", R"({"messages": 1})");
  const std::string stale = sim.Get("/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z");
  INFO(stale);
  CHECK(JsonInt(stale, "events.unexpected") > 0);   // absences of slots no longer busy
  auto next = RunCrmsync({"run", "--config", config, "--state", dir.path() + "/state", "--report", report_path});
  INFO(next.output);
  const std::string next_report = ReadFile(report_path);
  INFO(next_report);
  REQUIRE(next.exit_code == 0);
  CHECK(SumCalendar(next_report, kTenants, "busy_released") >= JsonInt(stale, "events.unexpected"));
  const std::string fresh = sim.Get("/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z");
  INFO(fresh);
  CheckEventsExact(fresh);
  // Nothing left to release: a rerun deletes nothing.
  auto idle = RunCrmsync({"run", "--config", config, "--state", dir.path() + "/state", "--report", report_path});
  REQUIRE(idle.exit_code == 0);
  CHECK(SumCalendar(ReadFile(report_path), kTenants, "busy_released") == 0);
  CheckEventsExact(sim.Get("/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z"));
}

// Calendars of per-user tenants (authorization = "per_user"): every Event,
// ResourceAbsence and released absence is written by the session of the user
// who owns it, never by another user's (the simulator refuses such a record
// and counts it in owner_violations). Meetings organized by a user who has not
// connected yet are written by an attendee who has; once the organizer
// connects, the Event is theirs.
#include <catch2/catch.hpp>

#include <string>

#include "consent_support.hpp"
#include "harness.hpp"
#include "verify_checks.hpp"

using namespace crmsync::harness;

namespace {

constexpr const char* kTenants[] = {"tenant-1", "tenant-2"};


// `crmsync run` with `config`; its exit code must be 0.
void RunWith(const std::string& config, const Setup& s) {
  auto run = RunCrmsync({"run", "--config", config, "--state", s.state, "--report", s.report, "--quiet"});
  INFO(run.output);
  INFO(ReadFile(s.report));
  REQUIRE(run.exit_code == 0);
}

}  // namespace

TEST_CASE("per-user authorization: each meeting's Event is written by its organizer's own session",
          "[per_user][meetings]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "41", "--tenants", "2", "--users", "6", "--messages", "2", "--providers",
                                "graph,gmail", "--authorization", "per_user"});
  const std::string config = s.dir.path() + "/calendar.toml";
  WriteFile(config, WithCapture(ReadFile(sim.config_path()),
                                "calendar = \"meetings\"\ncalendar_anchor = \"2026-11-01\"\n"
                                "calendar_past_days = 30\ncalendar_future_days = 60\n"));
  RunWith(config, s);   // learns the users; all pending, nothing read or written
  std::string verify = sim.Get("/_sim/verify");
  INFO(verify);
  CHECK(JsonInt(verify, "events.present") == 0);

  // Half of the users connect: their calendars are read, and every Event is
  // written by a connected participant's own session.
  for (const char* tenant : kTenants) {
    const auto users = Users(sim, s, tenant);
    REQUIRE(users.size() == 6);
    for (std::size_t i = 0; i < users.size(); i += 2) ConnectUser(sim, s, tenant, users[i].address);
  }
  RunWith(config, s);
  verify = sim.Get("/_sim/verify");
  INFO(verify);
  CHECK(JsonInt(verify, "events.present") > 0);
  CHECK(JsonInt(verify, "events.duplicates") == 0);
  CHECK(JsonInt(verify, "events.unexpected") == 0);
  CHECK(JsonInt(verify, "owner_violations") == 0);

  // The rest connect: every meeting's Event exists once, owned by its organizer.
  for (const char* tenant : kTenants) {
    const auto users = Users(sim, s, tenant);
    for (std::size_t i = 1; i < users.size(); i += 2) ConnectUser(sim, s, tenant, users[i].address);
  }
  RunWith(config, s);
  const std::string final_verify = sim.Get("/_sim/verify");
  CheckEventsExact(final_verify);
  CHECK(JsonInt(final_verify, "owner_violations") == 0);
  CheckClean(sim);
}

TEST_CASE("per-user authorization: free/busy absences are written and released by each user's own session",
          "[per_user][freebusy][scheduler]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "43", "--tenants", "2", "--users", "4", "--messages", "1", "--providers",
                                "graph,gmail", "--scheduler", "--meeting-changes", "--authorization", "per_user"});
  const std::string config = s.dir.path() + "/scheduler.toml";
  WriteFile(config, WithCapture(ReadFile(sim.config_path()),
                                "calendar = \"free_busy\"\ncalendar_anchor = \"2026-11-01\"\nfreebusy_days = 14\n"));
  const std::string verify_path = "/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z";
  RunWith(config, s);   // learns the users
  for (const char* tenant : kTenants) {
    for (const auto& u : Users(sim, s, tenant)) ConnectUser(sim, s, tenant, u.address);
  }
  RunWith(config, s);
  std::string verify = sim.Get(verify_path);
  INFO(verify);
  CheckEventsExact(verify);
  CHECK(JsonInt(verify, "owner_violations") == 0);

  // Cancelled and moved meetings release their slots: each absence is deleted
  // by its own user's session.
  sim.Post("/_sim/advance", R"({"messages": 1})");
  RunWith(config, s);
  const std::string report = ReadFile(s.report);
  INFO(report);
  CHECK(JsonInt(report, "tenants.0.calendar.busy_released") + JsonInt(report, "tenants.1.calendar.busy_released") > 0);
  const std::string released = sim.Get(verify_path);
  CheckEventsExact(released);
  CHECK(JsonInt(released, "owner_violations") == 0);
}

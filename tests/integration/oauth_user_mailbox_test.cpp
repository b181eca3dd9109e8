// Per-user mailbox consent beyond the Microsoft basics: Google tenants with
// google.access = "oauth_user" (crmsync-sim --providers gmail --mail-access
// delegated), end to end; and a whole tenant's consent revoked at once.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "consent_support.hpp"
#include "harness.hpp"

using namespace crmsync::harness;

namespace {

std::vector<std::string> GmailOAuthUserSim(SimProcess& sim) {
  const std::string config = ReadFile(sim.config_path());
  CHECK_THAT(config, Catch::Contains("[tenants.google]") && Catch::Contains("access = \"oauth_user\"") &&
                         !Catch::Contains("key_file"));
  return ListedUsers(sim);
}

}  // namespace

TEST_CASE("google oauth_user: pending until connected, one revoked user suspended alone, reconnect resumes",
          "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "41", "--tenants", "1", "--users", "4", "--messages", "30",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 4);

  auto none = Run(sim, s);
  INFO(none.output);
  std::string status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonInt(status, "tenants.0.users.pending") == 4);
  auto [pending, reason] = UserStatus(status, users[0]);
  CHECK(pending == "pending");
  CHECK(reason == "no mailbox authorization recorded (crmsync connect mailbox --tenant tenant-1 --user " + users[0] + ")");
  CHECK(ParseVerify(sim.Get("/_sim/verify")).present == 0);

  ConnectEveryMailbox(sim, s, users);
  // A user's grant given for another user is refused, not stored.
  const std::string other = Consent(sim, s, users[1]);
  auto mixed = ConnectMailbox(sim, s, users[0], other, true);
  INFO(mixed.output);
  CHECK(mixed.exit_code == 1);
  CHECK_THAT(mixed.output, Catch::Contains("belongs to " + users[1]));
  REQUIRE(ConnectMailbox(sim, s, users[1], other, true).exit_code == 0);

  auto full = Run(sim, s);
  INFO(full.output);
  CHECK(full.exit_code == 0);
  CHECK(JsonInt(ReadFile(s.report), "tenants.0.api_calls.mail_token_grants") == 4);
  status = TenantStatus(sim, s);
  CHECK(JsonInt(status, "tenants.0.users.active") == 4);
  CheckDelegatedClean(sim);

  // One user takes the consent back: only that user is suspended.
  CheckOneUserRevokedThenResumes(sim, s, users[2], 4);
}

TEST_CASE("google oauth_user: connect mailbox through Google's consent screen (offline access, PKCE)", "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "42", "--tenants", "1", "--users", "2", "--messages", "10",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 2);
  REQUIRE(ConnectMailbox(sim, s, users[1], Consent(sim, s, users[1])).exit_code == 0);

  std::string url;
  ConnectMailboxInBrowser(sim, s, users[0], url);
  CHECK_THAT(url, Catch::Contains("/o/oauth2/v2/auth?") && Catch::Contains("access_type=offline") &&
                      Catch::Contains("prompt=consent") && Catch::Contains("code_challenge_method=S256") &&
                      Catch::Contains("gmail.readonly"));
  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CheckDelegatedClean(sim);
}

TEST_CASE("delegated mailboxes: a whole tenant's consent revoked disconnects its mailbox, every user suspended",
          "[delegated]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "43", "--tenants", "1", "--users", "3", "--messages", "20",
                                "--mail-access", "delegated"});
  const std::vector<std::string> users = ListedUsers(sim);
  REQUIRE(users.size() == 3);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);
  REQUIRE(Run(sim, s).exit_code == 0);

  sim.Post("/_sim/revoke-mailbox?tenant=tenant-1", "");
  sim.Post("/_sim/advance", R"({"messages": 5})");
  auto partial = Run(sim, s);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  const std::string status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonText(status, {"tenants", "0", "mailbox", "status"}) == "disconnected");
  CHECK(JsonInt(status, "tenants.0.users.suspended") == 3);
  CHECK(JsonInt(status, "tenants.0.users.active") == 0);
  CHECK(ParseVerify(sim.Get("/_sim/verify")).missing > 0);

  // Every user consents again: the tenant reconnects and catches up.
  sim.Post("/_sim/restore-mailbox?tenant=tenant-1", "");
  for (const std::string& user : users) {
    REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user), true).exit_code == 0);
  }
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(JsonText(TenantStatus(sim, s), {"tenants", "0", "mailbox", "status"}) == "connected");
  CheckDelegatedClean(sim);
}

TEST_CASE("google oauth_user: meetings are read from each user's own calendar with that user's token",
          "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "44", "--tenants", "1", "--users", "4", "--messages", "2",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 4);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);
  // The window covers every meeting the simulator generates (its clock starts on 2026-11-01).
  const std::string config = s.dir.path() + "/calendar.toml";
  WriteFile(config, ReadFile(sim.config_path()) +
                        "\n[tenants.capture]\ncalendar = \"meetings\"\ncalendar_anchor = \"2026-11-01\"\n"
                        "calendar_past_days = 30\ncalendar_future_days = 60\n");
  auto run = RunCrmsync({"run", "--config", config, "--state", s.state, "--report", s.report, "--quiet"});
  INFO(run.output);
  const std::string report = ReadFile(s.report);
  INFO(report);
  CHECK(run.exit_code == 0);
  CHECK(JsonInt(report, "tenants.0.calendar.calendars") == 4);
  CHECK(JsonInt(report, "tenants.0.calendar.events_written") > 0);
  const std::string verify = sim.Get("/_sim/verify");
  INFO(verify);
  CHECK(JsonInt(verify, "events.expected") > 0);
  CHECK(JsonInt(verify, "events.missing") == 0);
  CHECK(JsonInt(verify, "events.duplicates") == 0);
  CHECK(JsonInt(verify, "events.unexpected") == 0);
  CheckDelegatedClean(sim);
}

TEST_CASE("google oauth_user: free/busy is asked with one connected user's own token", "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "45", "--tenants", "1", "--users", "4", "--messages", "2",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 4);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);
  const std::string config = s.dir.path() + "/freebusy.toml";
  WriteFile(config, ReadFile(sim.config_path()) +
                        "\n[tenants.capture]\ncalendar = \"free_busy\"\ncalendar_anchor = \"2026-11-01\"\n"
                        "freebusy_days = 14\n");
  auto run = RunCrmsync({"run", "--config", config, "--state", s.state, "--report", s.report, "--quiet"});
  INFO(run.output);
  const std::string report = ReadFile(s.report);
  INFO(report);
  CHECK(run.exit_code == 0);
  CHECK(JsonInt(report, "tenants.0.calendar.busy_slots") > 0);
  const std::string verify = sim.Get("/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z");
  INFO(verify);
  CHECK(JsonInt(verify, "events.expected") > 0);
  CHECK(JsonInt(verify, "events.missing") == 0);
  CHECK(JsonInt(verify, "events.unexpected") == 0);
  CHECK(JsonInt(verify, "delegation_violations") == 0);
  CHECK(JsonInt(verify, "isolation_violations") == 0);
}

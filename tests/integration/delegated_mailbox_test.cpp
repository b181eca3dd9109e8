// Per-user (delegated) Microsoft mailbox access end to end: crmsync-sim
// --mail-access delegated writes a tenant whose listed users each consent
// on their own (/_sim/reissue-mailbox plays the user's consent), `crmsync
// connect mailbox` records each grant sealed, and runs read each mailbox
// with its own user's token only.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "consent_support.hpp"
#include "harness.hpp"

using namespace crmsync::harness;

TEST_CASE("delegated mailboxes: pending until connected, one revoked user suspended alone, reconnect resumes",
          "[delegated]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "31", "--tenants", "1", "--users", "4", "--messages", "30",
                                "--mail-access", "delegated"});
  const std::vector<std::string> users = ListedUsers(sim);
  REQUIRE(users.size() == 4);

  // Nobody consented yet: every user pending, with the command that fixes it.
  auto none = Run(sim, s);
  INFO(none.output);
  std::string status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonInt(status, "tenants.0.users.pending") == 4);
  auto [pending, reason] = UserStatus(status, users[0]);
  CHECK(pending == "pending");
  CHECK(reason == "no mailbox authorization recorded (crmsync connect mailbox --tenant tenant-1 --user " + users[0] + ")");
  CHECK(ParseVerify(sim.Get("/_sim/verify")).present == 0);

  const std::vector<std::string> first_tokens = ConnectEveryMailbox(sim, s, users);
  // A second connect without --refresh keeps the recorded grant.
  CHECK(ConnectMailbox(sim, s, users[0], s.dir.path() + "/" + users[0] + ".token").exit_code == 2);

  auto full = Run(sim, s);
  INFO(full.output);
  CHECK(full.exit_code == 0);
  // One grant per user (its profile, then every page of both folders with
  // the same cached token), none for the application.
  CHECK(JsonInt(ReadFile(s.report), "tenants.0.api_calls.mail_token_grants") == 4);
  status = TenantStatus(sim, s);
  CHECK(JsonInt(status, "tenants.0.users.active") == 4);
  CheckDelegatedClean(sim);

  // Every grant rotated its refresh token, and the engine went on with the
  // rotated one: the token the user first gave is void now.
  const std::string stale = s.dir.path() + "/stale.token";
  WriteFile(stale, first_tokens[0]);
  auto reused = ConnectMailbox(sim, s, users[0], stale, true);
  INFO(reused.output);
  CHECK(reused.exit_code == 1);
  CHECK_THAT(reused.output, Catch::Contains("invalid_grant"));

  // One user takes the consent back: only that user is suspended.
  CheckOneUserRevokedThenResumes(sim, s, users[1], 4);
}

TEST_CASE("a kill between a mailbox grant and the storing of its rotated refresh token keeps the grant",
          "[delegated][crash]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "32", "--tenants", "1", "--users", "3", "--messages", "20",
                                "--mail-access", "delegated"});
  const std::vector<std::string> users = ListedUsers(sim);
  REQUIRE(users.size() == 3);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);

  for (const char* nth : {"mailbox_token_granted_before_refresh_stored", "mailbox_token_granted_before_refresh_stored:3"}) {
    setenv("CRMSYNC_CRASH_AT", nth, 1);
    auto killed = Run(sim, s);
    unsetenv("CRMSYNC_CRASH_AT");
    INFO(killed.output);
    CHECK(killed.exit_code == -1);   // SIGKILLed at the point
  }
  auto after = Run(sim, s);
  INFO(after.output);
  CHECK(after.exit_code == 0);
  CHECK(JsonInt(TenantStatus(sim, s), "tenants.0.users.active") == 3);
  CheckDelegatedClean(sim);
}

TEST_CASE("connect mailbox: the authorization-code flow receives the user's code on a loopback redirect",
          "[delegated]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "33", "--tenants", "1", "--users", "2", "--messages", "10",
                                "--mail-access", "delegated"});
  const std::vector<std::string> users = ListedUsers(sim);
  REQUIRE(users.size() == 2);
  // The second user connects headless; the first through the browser flow.
  REQUIRE(ConnectMailbox(sim, s, users[1], Consent(sim, s, users[1])).exit_code == 0);

  std::string url;
  ConnectMailboxInBrowser(sim, s, users[0], url);
  CHECK_THAT(url, Catch::Contains("/oauth2/v2.0/authorize?") && Catch::Contains("code_challenge_method=S256") &&
                      Catch::Contains("response_type=code") && Catch::Contains("offline_access") &&
                      Catch::Contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"));

  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(JsonInt(TenantStatus(sim, s), "tenants.0.users.active") == 2);
  CheckDelegatedClean(sim);
}

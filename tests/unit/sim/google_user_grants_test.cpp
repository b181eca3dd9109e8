// Google per-user consent in the simulator (google.access = "oauth_user"):
// the refresh_token grant of a user's own refresh token, and what its access
// token may read.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include "google_oauth_client.hpp"
#include "sim_test_support.hpp"

namespace {

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

HttpResponse RefreshGrant(Simulator& sim, const Tenant& t, const std::string& refresh_token,
                          const std::string& secret) {
  return sim.Handle(Request("POST", "/token", {}, {{"content-type", "application/x-www-form-urlencoded"}},
                            fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                                        GoogleOAuthClientId(t), secret, refresh_token)));
}

// The user's own access token, through reissue-mailbox and the refresh grant.
std::string UserAccessToken(Simulator& sim, const Tenant& t, const MailUser& user, std::string* refresh = nullptr) {
  simdjson::dom::parser parser;
  HttpResponse consent =
      sim.Handle(Request("POST", "/_sim/reissue-mailbox", {{"tenant", t.id}, {"user", user.primary}}));
  REQUIRE(consent.status == 200);
  const std::string refresh_token = Str(Json(parser, consent)["refresh_token"]);
  HttpResponse grant = RefreshGrant(sim, t, refresh_token, GoogleOAuthClientSecret(t));
  REQUIRE(grant.status == 200);
  auto doc = Json(parser, grant);
  CHECK(Str(doc["refresh_token"]) != refresh_token);
  if (refresh != nullptr) *refresh = Str(doc["refresh_token"]);
  return Str(doc["access_token"]);
}

HttpResponse Profile(Simulator& sim, const std::string& user, const std::string& token) {
  return sim.Handle(
      Request("GET", "/gmail/v1/users/" + user + "/profile", {}, {{"authorization", "Bearer " + token}}));
}

std::int64_t VerifyCount(Simulator& sim, const char* name) {
  simdjson::dom::parser parser;
  return std::int64_t(Json(parser, sim.Handle(Request("GET", "/_sim/verify")))[name]);
}

SimulatorOptions GmailOptions(const FakeClock& clock) {
  SimulatorOptions o = Options(2, 3, 5, clock);
  o.corpus.providers = {Provider::kGmail};
  return o;
}

}  // namespace

TEST_CASE("google oauth_user token: its own mailbox only, a colleague's is a delegation violation", "[sim]") {
  FakeClock clock;
  Simulator sim(GmailOptions(clock));
  const Tenant& t1 = sim.corpus().tenants()[0];
  const Tenant& t2 = sim.corpus().tenants()[1];
  const std::string token = UserAccessToken(sim, t1, t1.users[0]);

  simdjson::dom::parser parser;
  HttpResponse me = Profile(sim, "me", token);
  REQUIRE(me.status == 200);
  CHECK(Str(Json(parser, me)["emailAddress"]) == t1.users[0].primary);
  CHECK(Profile(sim, t1.users[0].primary, token).status == 200);

  CHECK(Profile(sim, t1.users[1].primary, token).status == 403);
  CHECK(VerifyCount(sim, "delegation_violations") == 1);
  CHECK(VerifyCount(sim, "isolation_violations") == 0);
  CHECK(Profile(sim, t2.users[0].primary, token).status == 403);
  CHECK(VerifyCount(sim, "isolation_violations") == 1);
  CHECK(VerifyCount(sim, "delegation_violations") == 1);

  // No Directory API with a user's own token.
  CHECK(sim.Handle(Request("GET", "/admin/directory/v1/users", {{"customer", "my_customer"}},
                           {{"authorization", "Bearer " + token}}))
            .status == 403);
}

TEST_CASE("google oauth_user refresh: client checked, revocation of one user or the tenant is invalid_grant", "[sim]") {
  FakeClock clock;
  Simulator sim(GmailOptions(clock));
  const Tenant& t = sim.corpus().tenants()[0];
  std::string refresh;
  UserAccessToken(sim, t, t.users[0], &refresh);
  CHECK(RefreshGrant(sim, t, refresh, "GOCSPX-wrong").status == 401);

  REQUIRE(sim.Handle(Request("POST", "/_sim/revoke-mailbox", {{"tenant", t.id}, {"user", t.users[0].primary}})).status ==
          200);
  HttpResponse refused = RefreshGrant(sim, t, refresh, GoogleOAuthClientSecret(t));
  CHECK(refused.status == 400);
  simdjson::dom::parser parser;
  CHECK(Str(Json(parser, refused)["error"]) == "invalid_grant");
  std::string other;
  UserAccessToken(sim, t, t.users[1], &other);
  UserAccessToken(sim, t, t.users[0]);   // consenting again gives access back

  REQUIRE(sim.Handle(Request("POST", "/_sim/revoke-mailbox", {{"tenant", t.id}})).status == 200);
  CHECK(RefreshGrant(sim, t, other, GoogleOAuthClientSecret(t)).status == 400);
}

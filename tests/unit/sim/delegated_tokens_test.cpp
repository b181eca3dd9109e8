// The simulator's per-user refresh tokens: rotation on every redemption, the
// predecessor valid until its successor is redeemed, reissue voids the rest.
#include <catch2/catch.hpp>

#include "delegated_tokens.hpp"

using crmsync::sim::DelegatedTokens;

TEST_CASE("delegated refresh tokens rotate, and a redeemed token dies once its successor is redeemed", "[sim]") {
  DelegatedTokens tokens;
  const std::string t0 = tokens.Issue(0, 3);
  auto r1 = tokens.Redeem(t0);
  REQUIRE(r1);
  CHECK(r1->tenant == 0);
  CHECK(r1->user == 3);
  CHECK(r1->successor != t0);

  // A client that crashed before storing t1 still holds a working t0.
  auto again = tokens.Redeem(t0);
  REQUIRE(again);
  const std::string t1 = again->successor;
  CHECK(t1 != r1->successor);
  CHECK_FALSE(tokens.Redeem(r1->successor));   // the lost successor was dropped

  auto r2 = tokens.Redeem(t1);
  REQUIRE(r2);
  CHECK_FALSE(tokens.Redeem(t0));   // its successor was redeemed: void
  CHECK(tokens.Redeem(r2->successor));
  CHECK_FALSE(tokens.Redeem(""));
  CHECK_FALSE(tokens.Redeem("M.C5_BAY.0.U.-unknown"));

  // A new consent voids every earlier token of that user only.
  const std::string other = tokens.Issue(0, 4);
  const std::string fresh = tokens.Issue(0, 3);
  CHECK_FALSE(tokens.Redeem(t1));
  CHECK(tokens.Redeem(fresh));
  CHECK(tokens.Redeem(other));
}

#include "sim_test_support.hpp"

namespace {

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

// The user's delegated access token, through reissue-mailbox and the refresh grant.
std::string DelegatedAccessToken(Simulator& sim, const Tenant& t, const MailUser& user, std::string* refresh = nullptr) {
  simdjson::dom::parser parser;
  HttpResponse consent = sim.Handle(
      Request("POST", "/_sim/reissue-mailbox", {{"tenant", t.id}, {"user", user.primary}}));
  REQUIRE(consent.status == 200);
  const std::string refresh_token = Str(Json(parser, consent)["refresh_token"]);
  HttpResponse grant = sim.Handle(Request(
      "POST", "/" + t.ms_tenant_id + "/oauth2/v2.0/token", {}, {{"content-type", "application/x-www-form-urlencoded"}},
      fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}&scope=Mail.Read",
                  t.ms_client_id, t.ms_client_secret, refresh_token)));
  REQUIRE(grant.status == 200);
  auto doc = Json(parser, grant);
  CHECK(Str(doc["refresh_token"]) != refresh_token);   // rotated
  if (refresh != nullptr) *refresh = Str(doc["refresh_token"]);
  return Str(doc["access_token"]);
}

HttpResponse Delta(Simulator& sim, const MailUser& user, const std::string& token) {
  return sim.Handle(Request("GET", "/v1.0/users/" + user.graph_id + "/mailFolders/inbox/messages/delta", {},
                            {{"authorization", "Bearer " + token}}));
}

std::int64_t VerifyCount(Simulator& sim, const char* name) {
  simdjson::dom::parser parser;
  return std::int64_t(Json(parser, sim.Handle(Request("GET", "/_sim/verify")))[name]);
}

}  // namespace

TEST_CASE("a delegated token reads its own user's mailbox only, any other is 403 and counted", "[sim]") {
  FakeClock clock;
  Simulator sim(Options(2, 3, 5, clock));
  const Tenant& t1 = sim.corpus().tenants()[0];
  const Tenant& t2 = sim.corpus().tenants()[1];
  const std::string token = DelegatedAccessToken(sim, t1, t1.users[0]);

  CHECK(Delta(sim, t1.users[0], token).status == 200);
  simdjson::dom::parser parser;
  HttpResponse me = sim.Handle(Request("GET", "/v1.0/me", {}, {{"authorization", "Bearer " + token}}));
  REQUIRE(me.status == 200);
  CHECK(Str(Json(parser, me)["id"]) == t1.users[0].graph_id);

  CHECK(Delta(sim, t1.users[1], token).status == 403);
  CHECK(VerifyCount(sim, "delegation_violations") == 1);
  CHECK(VerifyCount(sim, "isolation_violations") == 0);
  CHECK(Delta(sim, t2.users[0], token).status == 403);
  CHECK(VerifyCount(sim, "isolation_violations") == 1);
  CHECK(VerifyCount(sim, "delegation_violations") == 1);

  // The directory needs admin-level access.
  CHECK(sim.Handle(Request("GET", "/v1.0/users", {}, {{"authorization", "Bearer " + token}})).status == 403);
}

TEST_CASE("revoke-mailbox for one user turns that user's refresh grant into invalid_grant", "[sim]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 5, clock));
  const Tenant& t = sim.corpus().tenants()[0];
  std::string refresh;
  DelegatedAccessToken(sim, t, t.users[0], &refresh);
  REQUIRE(sim.Handle(Request("POST", "/_sim/revoke-mailbox", {{"tenant", t.id}, {"user", t.users[0].primary}})).status ==
          200);
  HttpResponse refused = sim.Handle(Request(
      "POST", "/" + t.ms_tenant_id + "/oauth2/v2.0/token", {}, {{"content-type", "application/x-www-form-urlencoded"}},
      fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}", t.ms_client_id,
                  t.ms_client_secret, refresh)));
  CHECK(refused.status == 400);
  simdjson::dom::parser parser;
  CHECK(Str(Json(parser, refused)["error"]) == "invalid_grant");
  // The other user is untouched, and a new consent works again.
  DelegatedAccessToken(sim, t, t.users[1]);
  DelegatedAccessToken(sim, t, t.users[0]);
}

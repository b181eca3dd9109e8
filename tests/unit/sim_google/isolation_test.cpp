// Tenant isolation as /_sim/verify reports it: every simulated service
// records one tenant's credentials used on another tenant's data, counted
// against the tenant whose data was asked for.
#include "google_test_support.hpp"
#include "json_escape.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

std::int64_t Violations(Simulator& sim, const std::string& tenant = "") {
  HttpResponse r = sim.Handle(Request("GET", "/_sim/verify"));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  auto doc = Json(p, r);
  if (tenant.empty()) return int64_t(doc["isolation_violations"]);
  return int64_t(doc["tenants"][tenant]["isolation_violations"]);
}

SimulatorOptions GmailOnly(int tenants, const FakeClock& clock) {
  SimulatorOptions o = MixedOptions(tenants, 2, 3, clock);
  o.corpus.providers = {Provider::kGmail};
  return o;
}

}  // namespace

TEST_CASE("isolation: a service account asking for another tenant's user is counted", "[sim_google][isolation]") {
  FakeClock clock;
  Simulator sim(GmailOnly(2, clock));
  JwtClaims own = ClaimsFor(sim, 0, 0);
  CHECK(PostAssertion(sim, SignJwt(*sim.google_auth().Account(0)->key, own)).status == 200);
  CHECK(Violations(sim) == 0);

  JwtClaims foreign = ClaimsFor(sim, 0, 0);
  foreign.sub = sim.corpus().tenants()[1].users[0].primary;
  HttpResponse refused = PostAssertion(sim, SignJwt(*sim.google_auth().Account(0)->key, foreign));
  CHECK(refused.status == 400);
  CHECK(Violations(sim) == 1);
  CHECK(Violations(sim, "tenant-2") == 1);
  CHECK(Violations(sim, "tenant-1") == 0);
}

TEST_CASE("isolation: a Gmail token used on another tenant's mailbox is refused and counted", "[sim_google][isolation]") {
  FakeClock clock;
  Simulator sim(GmailOnly(2, clock));
  const std::string token = GoogleToken(sim, 0, 0);
  const std::string own = sim.corpus().tenants()[0].users[0].primary;
  const std::string other = sim.corpus().tenants()[1].users[1].primary;
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/" + own + "/profile", {}, Bearer(token))).status == 200);
  CHECK(Violations(sim) == 0);
  HttpResponse cross = sim.Handle(Request("GET", "/gmail/v1/users/" + other + "/profile", {}, Bearer(token)));
  CHECK(cross.status == 403);
  CHECK(Violations(sim, "tenant-2") == 1);
  // Another user of the token's own tenant is refused too, but is no leak
  // across tenants.
  const std::string colleague = sim.corpus().tenants()[0].users[1].primary;
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/" + colleague + "/profile", {}, Bearer(token))).status == 403);
  CHECK(Violations(sim) == 1);
}

TEST_CASE("isolation: a Salesforce write naming another org's person is counted against that tenant",
          "[sim][isolation]") {
  FakeClock clock;
  Simulator sim(Options(2, 2, 3, clock));
  const Tenant& t1 = sim.corpus().tenants()[0];
  HttpResponse grant = sim.Handle(Request("POST", "/services/oauth2/token", {},
                                          {{"content-type", "application/x-www-form-urlencoded"}},
                                          fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                                                      t1.sf_client_id, t1.sf_client_secret, t1.sf_refresh_token)));
  REQUIRE(grant.status == 200);
  simdjson::dom::parser p;
  const std::string token = Str(Json(p, grant)["access_token"]);
  auto upsert = [&](const std::string& who) {
    const std::string body = fmt::format(
        R"({{"allOrNone":false,"records":[{{"attributes":{{"type":"Task"}},"Crmsync_Key__c":"isolation-1","Subject":"x","WhoId":"{}"}}]}})",
        JsonEscape(who));
    return sim.Handle(Request("PATCH", "/services/data/v60.0/composite/sobjects/Task/Crmsync_Key__c", {},
                              {{"authorization", "Bearer " + token}, {"content-type", "application/json"}}, body));
  };
  std::string foreign_contact, own_contact;
  for (const auto& person : sim.corpus().tenants()[1].people) {
    if (!person.contact_id.empty()) foreign_contact = person.contact_id;
  }
  for (const auto& person : t1.people) {
    if (!person.contact_id.empty()) own_contact = person.contact_id;
  }
  REQUIRE(!foreign_contact.empty());
  REQUIRE(!own_contact.empty());

  HttpResponse own = upsert(own_contact);
  REQUIRE(own.status == 200);
  CHECK(Violations(sim) == 0);
  HttpResponse cross = upsert(foreign_contact);
  REQUIRE(cross.status == 200);
  CHECK(cross.body.find("INVALID_CROSS_REFERENCE_KEY") != std::string::npos);
  CHECK(Violations(sim, "tenant-2") == 1);
  CHECK(Violations(sim, "tenant-1") == 0);
  // An id no org holds is a plain bad reference, not a leak.
  HttpResponse unknown = upsert("003000000000000AAA");
  CHECK(unknown.body.find("INVALID_CROSS_REFERENCE_KEY") != std::string::npos);
  CHECK(Violations(sim) == 1);
}

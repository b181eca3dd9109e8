// The Microsoft identity platform token endpoint and access-token expiry.
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

HttpResponse PostToken(Simulator& sim, const std::string& tenant, const std::string& body,
                       std::map<std::string, std::string> extra = {}) {
  extra["content-type"] = "application/x-www-form-urlencoded";
  return sim.Handle(Request("POST", "/" + tenant + "/oauth2/v2.0/token", {}, extra, body));
}

std::string Form(const Tenant& t, const std::string& secret, const std::string& scope = "https%3A%2F%2Fgraph.microsoft.com%2F.default",
                 const std::string& client = "") {
  return fmt::format("grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
                     client.empty() ? t.ms_client_id : client, secret, scope);
}

}  // namespace

TEST_CASE("token endpoint: AADSTS errors", "[sim][identity]") {
  FakeClock clock;
  Simulator sim(Options(2, 1, 1, clock));
  const Tenant& t = sim.corpus().tenants()[0];
  simdjson::dom::parser parser;

  HttpResponse wrong_secret = PostToken(sim, t.ms_tenant_id, Form(t, "not-the-secret"));
  CHECK(wrong_secret.status == 401);
  CHECK(ContentType(wrong_secret) == "application/json");
  auto doc = Json(parser, wrong_secret);
  CHECK(Str(doc["error"]) == "invalid_client");
  CHECK(int64_t(doc["error_codes"].at(0)) == 7000215);
  std::string description = Str(doc["error_description"]);
  CHECK(description.rfind("AADSTS7000215: Invalid client secret provided.", 0) == 0);
  CHECK(description.find("\r\nTrace ID: ") != std::string::npos);
  CHECK(description.find("not-the-secret") == std::string::npos);
  CHECK(doc["trace_id"].error() == simdjson::SUCCESS);
  CHECK(doc["correlation_id"].error() == simdjson::SUCCESS);

  HttpResponse no_tenant = PostToken(sim, "00000000-0000-4000-8000-000000000000", Form(t, t.ms_client_secret));
  CHECK(no_tenant.status == 400);
  CHECK(Str(Json(parser, no_tenant)["error_description"]).rfind("AADSTS90002: Tenant '00000000-", 0) == 0);

  HttpResponse wrong_client = PostToken(sim, t.ms_tenant_id, Form(t, t.ms_client_secret, "https%3A%2F%2Fgraph.microsoft.com%2F.default",
                                                                   sim.corpus().tenants()[1].ms_client_id));
  CHECK(wrong_client.status == 400);
  CHECK(Str(Json(parser, wrong_client)["error"]) == "unauthorized_client");
  CHECK(int64_t(Json(parser, wrong_client)["error_codes"].at(0)) == 700016);

  HttpResponse bad_scope = PostToken(sim, t.ms_tenant_id, Form(t, t.ms_client_secret, "https%3A%2F%2Fvault.azure.net%2F.default"));
  CHECK(bad_scope.status == 400);
  CHECK(Str(Json(parser, bad_scope)["error"]) == "invalid_scope");
  CHECK(int64_t(Json(parser, bad_scope)["error_codes"].at(0)) == 70011);

  // The tenant may be named by one of its domains; credentials by HTTP Basic.
  std::string basic = Base64UrlEncode(t.ms_client_id + ":" + t.ms_client_secret);
  for (char& c : basic) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (basic.size() % 4) basic += '=';
  HttpResponse ok = PostToken(sim, t.domains[0],
                              "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
                              {{"authorization", "Basic " + basic}});
  CHECK(ok.status == 200);
  auto good = Json(parser, ok);
  CHECK(Str(good["token_type"]) == "Bearer");
  CHECK(int64_t(good["expires_in"]) == 3599);
  CHECK(int64_t(good["ext_expires_in"]) == 3599);

  HttpResponse stats = sim.Handle(Request("GET", "/_sim/stats"));
  auto s = Json(parser, stats);
  CHECK(int64_t(s["endpoints"]["ms.token"]["401"]) == 1);
  CHECK(int64_t(s["endpoints"]["ms.token"]["400"]) == 3);
  CHECK(int64_t(s["endpoints"]["ms.token"]["200"]) == 1);
}

TEST_CASE("an access token expires after the TTL of the simulator's clock", "[sim][identity]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 3, clock));
  std::string token = GraphToken(sim, 0);
  const MailUser& user = sim.corpus().tenants()[0].users[0];
  HttpRequest request = Request("GET", "/v1.0/users/" + user.primary + "/mailFolders/inbox/messages/delta", {},
                                {{"authorization", "Bearer " + token}});
  CHECK(sim.Handle(request).status == 200);
  clock.Advance(3598);
  CHECK(sim.Handle(request).status == 200);
  clock.Advance(2);
  HttpResponse expired = sim.Handle(request);
  CHECK(expired.status == 401);
  simdjson::dom::parser parser;
  auto doc = Json(parser, expired);
  CHECK(Str(doc["error"]["code"]) == "InvalidAuthenticationToken");
  CHECK(Str(doc["error"]["message"]) == "Access token has expired or is not yet valid.");
  CHECK(doc["error"]["innerError"]["request-id"].error() == simdjson::SUCCESS);
  // A new token works again.
  request.headers["authorization"] = "Bearer " + GraphToken(sim, 0);
  CHECK(sim.Handle(request).status == 200);
}

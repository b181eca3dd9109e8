// OAuth refresh-token grant, sessions, the versions list, routing and the
// headers every REST answer carries.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

namespace crmsync::sim::testing {
namespace {

std::string Base64HmacSha256(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  out.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(length))));
  return out;
}

void RequireOAuthError(const HttpResponse& r, const std::string& error, const std::string& description) {
  REQUIRE(r.status == 400);
  auto json = ParseJson(r.body);
  CHECK(Str(json->root["error"]) == error);
  CHECK(Str(json->root["error_description"]) == description);
}

void RequireRestError(const HttpResponse& r, int status, const std::string& code) {
  REQUIRE(r.status == status);
  auto json = ParseJson(r.body);
  simdjson::dom::array errors = json->root.get_array().value();
  REQUIRE(errors.size() == 1);
  CHECK(Str(errors.at(0)["errorCode"]) == code);
  CHECK_FALSE(Str(errors.at(0)["message"]).empty());
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce token: refresh grant answers like Salesforce", "[sim_salesforce]") {
  HttpResponse r = sim_.Handle(TokenRequest(org1_.setup.client_id, org1_.setup.client_secret,
                                            org1_.setup.refresh_token));
  REQUIRE(r.status == 200);
  CHECK(Header(r, "Content-Type") == "application/json;charset=UTF-8");
  auto json = ParseJson(r.body);
  std::string token = Str(json->root["access_token"]);
  CHECK(token.rfind(org1_.setup.org_id + "!", 0) == 0);
  CHECK(token.size() > org1_.setup.org_id.size() + 40);
  CHECK(Str(json->root["instance_url"]) == kOrigin);
  std::string id = Str(json->root["id"]);
  CHECK(id == std::string(kOrigin) + "/id/" + org1_.setup.org_id + "/" + org1_.setup.integration_user_id);
  CHECK(Str(json->root["token_type"]) == "Bearer");
  CHECK(Str(json->root["scope"]) == "id api refresh_token");
  std::string issued_at = Str(json->root["issued_at"]);
  REQUIRE(issued_at.size() >= 13);
  CHECK(issued_at.find_first_not_of("0123456789") == std::string::npos);
  CHECK(Str(json->root["signature"]) == Base64HmacSha256(org1_.setup.client_secret, id + issued_at));
  // No expiry and no rotation: the client keeps its refresh token.
  CHECK(json->root["expires_in"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(json->root["refresh_token"].error() == simdjson::NO_SUCH_FIELD);

  // Two grants give two distinct live sessions.
  std::string second = Login(org1_);
  CHECK(second != token);
  CHECK(sim_.Handle(Get("/services/data/v66.0/limits", token)).status == 200);
  CHECK(sim_.Handle(Get("/services/data/v66.0/limits", second)).status == 200);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce token: each refusal has its OAuth error", "[sim_salesforce]") {
  const auto& s1 = org1_.setup;
  const auto& s2 = org2_.setup;
  RequireOAuthError(sim_.Handle(TokenRequest("no-such-client", s1.client_secret, s1.refresh_token)),
                    "invalid_client_id", "client identifier invalid");
  RequireOAuthError(sim_.Handle(TokenRequest(s1.client_id, "wrong", s1.refresh_token)), "invalid_client",
                    "invalid client credentials");
  RequireOAuthError(sim_.Handle(TokenRequest(s1.client_id, s1.client_secret, "revoked")), "invalid_grant",
                    "expired access/refresh token");
  // Org 2's refresh token presented with org 1's client.
  RequireOAuthError(sim_.Handle(TokenRequest(s1.client_id, s1.client_secret, s2.refresh_token)),
                    "invalid_grant", "expired access/refresh token");
  HttpResponse password = sim_.Handle(TokenRequest(s1.client_id, s1.client_secret, s1.refresh_token, "password"));
  REQUIRE(password.status == 400);
  CHECK(Str(ParseJson(password.body)->root["error"]) == "unsupported_grant_type");

  // Revoking: re-adding the org with a new refresh token refuses the old one.
  OrgSetup rotated = s1;
  rotated.records.clear();
  rotated.refresh_token = "new-refresh";
  sim_.AddOrg(rotated);
  RequireOAuthError(sim_.Handle(TokenRequest(s1.client_id, s1.client_secret, s1.refresh_token)),
                    "invalid_grant", "expired access/refresh token");
  CHECK(sim_.Handle(TokenRequest(s1.client_id, s1.client_secret, "new-refresh")).status == 200);

  // Secrets never appear in error answers.
  HttpResponse wrong = sim_.Handle(TokenRequest(s1.client_id, "wrong", s1.refresh_token));
  CHECK(wrong.body.find(s1.client_secret) == std::string::npos);
  CHECK(wrong.body.find("wrong") == std::string::npos);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce session: expires after the TTL of the injected clock", "[sim_salesforce]") {
  std::string token = Login(org1_);
  auto limits = Get("/services/data/v66.0/limits", token);
  CHECK(sim_.Handle(limits).status == 200);
  now_ += kTokenTtl - std::chrono::seconds(1);
  CHECK(sim_.Handle(limits).status == 200);
  now_ += std::chrono::seconds(1);
  HttpResponse expired = sim_.Handle(limits);
  RequireRestError(expired, 401, "INVALID_SESSION_ID");
  CHECK(Str(ParseJson(expired.body)->root.at(0)["message"]) == "Session expired or invalid");
  // A fresh grant works again.
  CHECK(sim_.Handle(Get("/services/data/v66.0/limits", Login(org1_))).status == 200);

  RequireRestError(sim_.Handle(Get("/services/data/v66.0/limits", "")), 401, "INVALID_SESSION_ID");
  RequireRestError(sim_.Handle(Get("/services/data/v66.0/limits", org1_.setup.org_id + "!forged")), 401,
                   "INVALID_SESSION_ID");
  RequireRestError(sim_.Handle(Upsert(R"({"records":[]})", "garbage")), 401, "INVALID_SESSION_ID");
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce versions: 46.0 to 67.0 listed, others not served", "[sim_salesforce]") {
  HttpResponse r = sim_.Handle(Get("/services/data/", ""));
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  simdjson::dom::array versions = json->root.get_array().value();
  REQUIRE(versions.size() == 22);
  CHECK(Str(versions.at(0)["version"]) == "46.0");
  CHECK(Str(versions.at(0)["label"]) == "Summer '19");
  CHECK(Str(versions.at(20)["version"]) == "66.0");
  CHECK(Str(versions.at(20)["label"]) == "Spring '26");
  CHECK(Str(versions.at(20)["url"]) == "/services/data/v66.0");
  CHECK(Str(versions.at(21)["label"]) == "Summer '26");
  CHECK(Header(r, "Sforce-Limit-Info").rfind("api-usage=", 0) == 0);

  std::string token = Login(org1_);
  CHECK(sim_.Handle(Get("/services/data/v46.0/limits", token)).status == 200);
  CHECK(sim_.Handle(Get("/services/data/v67.0/limits", token)).status == 200);
  RequireRestError(sim_.Handle(Get("/services/data/v45.0/limits", token)), 404, "NOT_FOUND");
  RequireRestError(sim_.Handle(Get("/services/data/v68.0/limits", token)), 404, "NOT_FOUND");
  RequireRestError(sim_.Handle(Get("/services/data/v66/limits", token)), 404, "NOT_FOUND");
  // describe is served (crmsync doctor) for the sObjects crmsync knows only.
  CHECK(sim_.Handle(Get("/services/data/v66.0/sobjects/Task/describe", token)).status == 200);
  RequireRestError(sim_.Handle(Get("/services/data/v66.0/sobjects/Bogus/describe", token)), 404, "NOT_FOUND");
  RequireRestError(sim_.Handle(Get("/services/data/v66.0/composite/sobjects/Task/Crmsync_Key__c", token)), 405,
                   "METHOD_NOT_ALLOWED");
  CHECK(SalesforceSim::Owns(Get("/services/data/", "")));
  CHECK_FALSE(SalesforceSim::Owns(Get("/v1.0/users", "")));
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce every REST answer carries the org's API usage", "[sim_salesforce]") {
  std::string token1 = Login(org1_);
  std::string token2 = Login(org2_);
  HttpResponse first = sim_.Handle(Query("SELECT Id FROM User", token1));
  HttpResponse second = sim_.Handle(Query("SELECT Id FROM Bogus", token1));   // errors count too
  HttpResponse other_org = sim_.Handle(Query("SELECT Id FROM User", token2));
  HttpResponse upsert = sim_.Handle(Upsert("not json", token1));
  CHECK(Header(first, "Sforce-Limit-Info") == "api-usage=1/100000");
  CHECK(Header(second, "Sforce-Limit-Info") == "api-usage=2/100000");
  CHECK(Header(other_org, "Sforce-Limit-Info") == "api-usage=1/100000");
  CHECK(Header(upsert, "Sforce-Limit-Info") == "api-usage=3/100000");
  for (const HttpResponse* r : {&first, &second, &other_org, &upsert}) {
    CHECK(Header(*r, "Content-Type") == "application/json;charset=UTF-8");
  }
  now_ += kTokenTtl;
  HttpResponse unauthorized = sim_.Handle(Query("SELECT Id FROM User", token1));
  CHECK(unauthorized.status == 401);
  CHECK(Header(unauthorized, "Sforce-Limit-Info") == "api-usage=3/100000");

  auto counts = sim_.RequestCounts();
  CHECK(counts["sf.token"][200] == 2);
  CHECK(counts["sf.query"][200] == 2);
  CHECK(counts["sf.query"][400] == 1);
  CHECK(counts["sf.query"][401] == 1);
  CHECK(counts["sf.upsert"][400] == 1);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce describe lists Crmsync_Key__c unless removed for a test",
                 "[sim_salesforce]") {
  std::string token = Login(org1_);
  auto has_key = [&](const std::string& sobject) {
    HttpResponse r = sim_.Handle(Get("/services/data/v60.0/sobjects/" + sobject + "/describe", token));
    REQUIRE(r.status == 200);
    auto json = ParseJson(r.body);
    CHECK(Str(json->root["name"]) == sobject);
    simdjson::dom::array fields = json->root["fields"].get_array().value();
    bool external_id = false;
    for (simdjson::dom::element field : fields) {
      if (Str(field["name"]) == "Crmsync_Key__c") external_id = field["externalId"].get_bool().value();
    }
    return external_id;
  };
  CHECK(has_key("Task"));
  CHECK(has_key("EmailMessage"));
  CHECK_FALSE(has_key("Contact"));
  sim_.SetMissingKeyField("Task");
  CHECK_FALSE(has_key("Task"));
  CHECK(has_key("Event"));
  RequireRestError(sim_.Handle(Get("/services/data/v60.0/sobjects/Task/describe", "garbage")), 401,
                   "INVALID_SESSION_ID");
}

}  // namespace
}  // namespace crmsync::sim::testing

#include <catch2/catch.hpp>

#include "crmsync/auth/token_provider.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using crmsync::StatusCode;
using crmsync::testing::DecodeForm;
using crmsync::testing::GetNow;
using crmsync::testing::ScriptedTransport;

namespace {

constexpr const char* kRefreshToken = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrAnCCoU.G3xI8OFq==";
constexpr const char* kClientSecret = "sf-consumer-secret";

crmsync::auth::SalesforceRefreshConfig Config() {
  crmsync::auth::SalesforceRefreshConfig config;
  config.token_url = "https://login.salesforce.example/services/oauth2/token";
  config.client_id = "3MVG9consumer";
  config.client_secret = kClientSecret;
  config.refresh_token = kRefreshToken;
  return config;
}

std::string SessionJson(const std::string& token, const std::string& extra = "") {
  return R"({"access_token":")" + token +
         R"(","signature":"c2ln","scope":"id api refresh_token","instance_url":"https://acme.my.salesforce.example",)"
         R"("id":"https://login.salesforce.example/id/00D/005","token_type":"Bearer","issued_at":"1278448384422")" +
         extra + "}";
}

}  // namespace

TEST_CASE("salesforce refresh: grant fields, instance_url, cached until invalidated", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, SessionJson("00D!session-1"));
  transport.Reply(200, SessionJson("00D!session-2"));
  auto provider = crmsync::auth::MakeSalesforceRefreshProvider(transport, Config());

  auto first = GetNow(*provider);
  REQUIRE(first);
  REQUIRE(first->ok());
  CHECK(first->value().value == "00D!session-1");
  CHECK(first->value().instance_url == "https://acme.my.salesforce.example");

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].url == Config().token_url);
  const auto fields = DecodeForm(requests[0].body);
  CHECK(fields.size() == 4);
  CHECK(fields.at("grant_type") == "refresh_token");
  CHECK(fields.at("refresh_token") == kRefreshToken);
  CHECK(fields.at("client_id") == "3MVG9consumer");
  CHECK(fields.at("client_secret") == kClientSecret);
  // '=' and '.' of the token: '=' must be escaped, '.' need not be.
  CHECK(requests[0].body.find("G3xI8OFq%3D%3D") != std::string::npos);

  // No expires_in: the session is reused until a 401 invalidates it.
  for (int i = 0; i < 5; ++i) CHECK(GetNow(*provider)->value().value == "00D!session-1");
  CHECK(provider->grants() == 1);
  provider->Invalidate("00D!session-1");
  auto second = GetNow(*provider);
  CHECK(second->value().value == "00D!session-2");
  CHECK(second->value().instance_url == "https://acme.my.salesforce.example");
  CHECK(provider->grants() == 2);
}

TEST_CASE("salesforce refresh: invalid_grant is kUnauthorized without the refresh token", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
  auto provider = crmsync::auth::MakeSalesforceRefreshProvider(transport, Config());

  auto result = GetNow(*provider);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  CHECK(result->status().code() == StatusCode::kUnauthorized);
  const std::string& message = result->status().message();
  CHECK(message ==
        "Salesforce refused the refresh token for client_id 3MVG9consumer at login.salesforce.example: "
        "invalid_grant: expired access/refresh token");
  CHECK(message.find(kRefreshToken) == std::string::npos);
  CHECK(message.find(kClientSecret) == std::string::npos);
}

TEST_CASE("salesforce refresh: a success without instance_url is malformed", "[auth]") {
  ScriptedTransport transport;
  // An unreadable answer is asked again (it may have been cut short): 4 grants.
  for (int i = 0; i < 4; ++i) transport.Reply(200, R"({"access_token":"00D!x","token_type":"Bearer"})");
  auto provider = crmsync::auth::MakeSalesforceRefreshProvider(transport, Config());
  auto result = GetNow(*provider);
  REQUIRE_FALSE(result->ok());
  CHECK(result->status().code() == StatusCode::kCorruption);
  CHECK(provider->grants() == 4);
}

TEST_CASE("salesforce refresh: a rotated refresh token is used for the next grant", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, SessionJson("00D!session-1", R"(,"refresh_token":"rotated-token-2")"));
  transport.Reply(400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
  auto provider = crmsync::auth::MakeSalesforceRefreshProvider(transport, Config());

  REQUIRE(GetNow(*provider)->ok());
  provider->Invalidate("00D!session-1");
  auto refused = GetNow(*provider);
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(DecodeForm(requests[1].body).at("refresh_token") == "rotated-token-2");
  CHECK(refused->status().message().find("rotated-token-2") == std::string::npos);
}

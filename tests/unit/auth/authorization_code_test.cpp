// The authorization-code grant of `crmsync connect`: the form sent, the
// refresh token read, refusals and incomplete answers without secrets.
#include <catch2/catch.hpp>

#include "crmsync/auth/authorization_code.hpp"
#include "scripted_transport.hpp"

using crmsync::StatusCode;
using crmsync::testing::DecodeForm;
using crmsync::testing::ScriptedTransport;

namespace {

constexpr const char* kSecret = "connected-app-secret";
constexpr const char* kCode = "aPrx-one-time-code";

crmsync::auth::AuthorizationCodeGrant Grant() {
  return {.token_url = "https://login.example/services/oauth2/token",
          .ca_file = "",
          .kind = "auth.sf_code",
          .service = "Salesforce",
          .client_id = "app-id",
          .client_secret = kSecret,
          .no_refresh_hint = "is the refresh_token scope granted?",
          .form = {{"grant_type", "authorization_code"},
                   {"code", kCode},
                   {"client_id", "app-id"},
                   {"client_secret", kSecret},
                   {"code_verifier", "verifier-123"}}};
}

}  // namespace

TEST_CASE("authorization code grant: the form is posted, the refresh token is returned", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, R"({"access_token":"at","refresh_token":"rt-first","instance_url":"https://x.my.salesforce.com"})");
  auto token = crmsync::auth::RedeemAuthorizationCode(transport, Grant());
  REQUIRE(token.ok());
  CHECK(token.value() == "rt-first");
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].url == "https://login.example/services/oauth2/token");
  CHECK(requests[0].kind == "auth.sf_code");
  auto form = DecodeForm(requests[0].body);
  CHECK(form["grant_type"] == "authorization_code");
  CHECK(form["code"] == kCode);
  CHECK(form["code_verifier"] == "verifier-123");
}

TEST_CASE("authorization code grant: a refused code names the OAuth error and no secret", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(400, std::string(R"({"error":"invalid_grant","error_description":"expired code )") + kCode + R"("})");
  auto token = crmsync::auth::RedeemAuthorizationCode(transport, Grant());
  REQUIRE_FALSE(token.ok());
  CHECK(token.status().code() == StatusCode::kUnauthorized);
  CHECK_THAT(token.status().message(),
             Catch::Contains("Salesforce refused the authorization code for client_id app-id at login.example") &&
                 Catch::Contains("invalid_grant"));
  CHECK_THAT(token.status().message(), !Catch::Contains(kCode) && !Catch::Contains(kSecret));
}

TEST_CASE("authorization code grant: an answer without a refresh token says why it may lack one", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, R"({"access_token":"at"})");
  auto token = crmsync::auth::RedeemAuthorizationCode(transport, Grant());
  REQUIRE_FALSE(token.ok());
  CHECK(token.status().code() == StatusCode::kUnauthorized);
  CHECK_THAT(token.status().message(), Catch::Contains("no refresh_token (is the refresh_token scope granted?)"));

  ScriptedTransport not_json;
  not_json.Reply(200, "<html>sign in</html>");
  auto garbled = crmsync::auth::RedeemAuthorizationCode(not_json, Grant());
  REQUIRE_FALSE(garbled.ok());
  CHECK(garbled.status().code() == StatusCode::kCorruption);
}

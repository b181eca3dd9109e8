// The delegated (per-user) refresh-token grant: fields sent, rotation stored
// before the access token is handed out, refusals without secrets.
#include <catch2/catch.hpp>

#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using crmsync::Status;
using crmsync::StatusCode;
using crmsync::testing::DecodeForm;
using crmsync::testing::GetNow;
using crmsync::testing::ScriptedTransport;

namespace {

constexpr const char* kRefreshToken = "M.C5_BAY.0.U.-first-refresh-token";
constexpr const char* kClientSecret = "app-client-secret";

crmsync::auth::RefreshTokenConfig Config() {
  crmsync::auth::RefreshTokenConfig config;
  config.token_url = "https://login.example/tid/oauth2/v2.0/token";
  config.client_id = "app-id";
  config.client_secret = kClientSecret;
  config.refresh_token = kRefreshToken;
  config.scope = "offline_access Mail.Read Calendars.Read User.Read";
  config.subject = "ann@acme.example";
  return config;
}

std::string Grant(const std::string& access, const std::string& refresh) {
  return R"({"token_type":"Bearer","expires_in":3599,"access_token":")" + access + R"(","refresh_token":")" + refresh +
         R"("})";
}

}  // namespace

TEST_CASE("refresh token grant: each rotation is stored before its access token is used, then used next", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, Grant("access-1", "refresh-2"));
  transport.Reply(200, Grant("access-2", "refresh-3"));
  std::vector<std::string> stored;
  auto config = Config();
  config.on_rotated = [&stored](const std::string& rotated) {
    stored.push_back(rotated);
    return Status::Ok();
  };
  auto provider = crmsync::auth::MakeRefreshTokenProvider(transport, config);

  auto first = GetNow(*provider);
  REQUIRE(first);
  REQUIRE(first->ok());
  CHECK(first->value().value == "access-1");
  CHECK(stored == std::vector<std::string>{"refresh-2"});
  auto fields = DecodeForm(transport.requests()[0].body);
  CHECK(fields.at("grant_type") == "refresh_token");
  CHECK(fields.at("refresh_token") == kRefreshToken);
  CHECK(fields.at("client_id") == "app-id");
  CHECK(fields.at("client_secret") == kClientSecret);
  CHECK(fields.at("scope") == Config().scope);

  // Cached until a 401 invalidates it; the next grant redeems the rotated token.
  CHECK(GetNow(*provider)->value().value == "access-1");
  CHECK(provider->grants() == 1);
  provider->Invalidate("access-1");
  auto second = GetNow(*provider);
  REQUIRE(second->ok());
  CHECK(second->value().value == "access-2");
  CHECK(DecodeForm(transport.requests()[1].body).at("refresh_token") == "refresh-2");
  CHECK(stored == std::vector<std::string>{"refresh-2", "refresh-3"});
}

TEST_CASE("refresh token grant: a rotation that cannot be stored fails the grant", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, Grant("access-1", "refresh-2"));
  auto config = Config();
  config.on_rotated = [](const std::string&) { return Status::Io("disk full"); };
  auto provider = crmsync::auth::MakeRefreshTokenProvider(transport, config);
  auto result = GetNow(*provider);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  CHECK_THAT(result->status().message(), Catch::Contains("could not be stored: disk full"));
  CHECK_THAT(result->status().message(), !Catch::Contains("refresh-2") && !Catch::Contains("access-1"));
}

TEST_CASE("refresh token grant: invalid_grant is kUnauthorized naming the user, never the token", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(400, R"({"error":"invalid_grant","error_description":"AADSTS70000: The provided value for the )"
                       R"('refresh_token' is not valid or was revoked: M.C5_BAY.0.U.-first-refresh-token"})");
  auto provider = crmsync::auth::MakeRefreshTokenProvider(transport, Config());
  auto result = GetNow(*provider);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  CHECK(result->status().code() == StatusCode::kUnauthorized);
  CHECK_THAT(result->status().message(), Catch::Contains("invalid_grant") && Catch::Contains("ann@acme.example"));
  CHECK_THAT(result->status().message(), !Catch::Contains(kRefreshToken) && !Catch::Contains(kClientSecret));
}

TEST_CASE("refresh token grant: an answer without expires_in or access_token is malformed", "[auth]") {
  const std::pair<const char*, const char*> cases[] = {{R"({"token_type":"Bearer","access_token":"a"})", "expires_in"},
                                                       {R"({"token_type":"Bearer","expires_in":3599})", "access_token"}};
  for (const auto& [body, missing] : cases) {
    ScriptedTransport transport;
    // An unreadable answer is retried like a transient failure: every attempt gets the same.
    for (int i = 0; i < 8; ++i) transport.Reply(200, body);
    auto provider = crmsync::auth::MakeRefreshTokenProvider(transport, Config());
    auto result = GetNow(*provider);
    REQUIRE(result);
    REQUIRE_FALSE(result->ok());
    CHECK_THAT(result->status().message(), Catch::Contains(missing));
  }
}

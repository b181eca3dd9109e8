#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace std::chrono_literals;
using crmsync::Result;
using crmsync::StatusCode;
using crmsync::auth::AccessToken;
using crmsync::testing::DecodeForm;
using crmsync::testing::GetNow;
using crmsync::testing::ScriptedTransport;

namespace {

constexpr const char* kSecret = "s3cr3t+/=&value~";

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  crmsync::auth::Clock fn() {
    return [this] { return now; };
  }
};

crmsync::auth::ClientCredentialsConfig Config() {
  crmsync::auth::ClientCredentialsConfig config;
  config.token_url = "https://login.example.test:8443/tenant-1/oauth2/v2.0/token";
  config.client_id = "app-1234";
  config.client_secret = kSecret;
  config.ca_file = "/tmp/ca.pem";
  return config;
}

std::string TokenJson(const std::string& token, int expires_in) {
  return R"({"token_type":"Bearer","expires_in":)" + std::to_string(expires_in) + R"(,"ext_expires_in":)" +
         std::to_string(expires_in) + R"(,"access_token":")" + token + R"("})";
}

}  // namespace

TEST_CASE("client credentials: grant request is a form POST with every field encoded", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, TokenJson("tok-1", 3599));
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());

  auto result = GetNow(*provider);
  REQUIRE(result);
  REQUIRE(result->ok());
  CHECK(result->value().value == "tok-1");

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  const auto& request = requests[0];
  CHECK(request.method == "POST");
  CHECK(request.url == Config().token_url);
  CHECK(request.ca_file == "/tmp/ca.pem");
  bool form_type = false;
  for (const auto& [name, value] : request.headers) {
    if (name == "Content-Type" && value == "application/x-www-form-urlencoded") form_type = true;
  }
  CHECK(form_type);
  // Reserved characters of the secret and the scope URL are percent-encoded.
  CHECK(request.body.find("client_secret=s3cr3t%2B%2F%3D%26value~") != std::string::npos);
  CHECK(request.body.find("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default") != std::string::npos);
  const auto fields = DecodeForm(request.body);
  CHECK(fields.size() == 4);
  CHECK(fields.at("client_id") == "app-1234");
  CHECK(fields.at("client_secret") == kSecret);
  CHECK(fields.at("scope") == "https://graph.microsoft.com/.default");
  CHECK(fields.at("grant_type") == "client_credentials");
}

TEST_CASE("client credentials: token cached until the refresh margin, then fetched again", "[auth]") {
  ScriptedTransport transport;
  FakeClock clock;
  transport.Reply(200, TokenJson("tok-1", 3600));
  transport.Reply(200, TokenJson("tok-2", 3600));
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config(), clock.fn());

  CHECK(GetNow(*provider)->value().value == "tok-1");
  clock.now += 3600s - 300s - 1s;  // default margin 300 s: still fresh
  auto cached = GetNow(*provider);
  REQUIRE(cached);  // answered synchronously
  CHECK(cached->value().value == "tok-1");
  CHECK(provider->grants() == 1);

  clock.now += 2s;
  CHECK(GetNow(*provider)->value().value == "tok-2");
  CHECK(provider->grants() == 2);
}

TEST_CASE("client credentials: a short-lived token is used for at least half its life", "[auth]") {
  ScriptedTransport transport;
  FakeClock clock;
  transport.Reply(200, TokenJson("short-1", 400));  // 400 - 300 < 400 / 2
  transport.Reply(200, TokenJson("short-2", 400));
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config(), clock.fn());

  CHECK(GetNow(*provider)->value().value == "short-1");
  clock.now += 199s;
  CHECK(GetNow(*provider)->value().value == "short-1");
  clock.now += 2s;
  CHECK(GetNow(*provider)->value().value == "short-2");
  CHECK(provider->grants() == 2);
}

TEST_CASE("client credentials: concurrent callers share one grant", "[auth]") {
  ScriptedTransport transport;
  transport.Hold();
  transport.Reply(200, TokenJson("shared", 3600));
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());

  constexpr int kCallers = 16;
  std::atomic<int> answered{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      provider->Get([&](Result<AccessToken> result) {
        if (!result.ok() || result->value != "shared") ++wrong;
        ++answered;
      });
    });
  }
  for (auto& caller : callers) caller.join();  // Get() never blocks
  CHECK(answered == 0);
  CHECK(transport.requests().size() == 1);

  transport.Release();
  CHECK(answered == kCallers);
  CHECK(wrong == 0);
  CHECK(provider->grants() == 1);
}

TEST_CASE("client credentials: Invalidate drops only the stale token", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(200, TokenJson("tok-1", 3600));
  transport.Reply(200, TokenJson("tok-2", 3600));
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());

  CHECK(GetNow(*provider)->value().value == "tok-1");
  provider->Invalidate("some-older-token");  // not the cached one: ignored
  CHECK(GetNow(*provider)->value().value == "tok-1");
  CHECK(provider->grants() == 1);

  provider->Invalidate("tok-1");
  CHECK(GetNow(*provider)->value().value == "tok-2");
  CHECK(provider->grants() == 2);
  provider->Invalidate("tok-1");  // a late second 401 for the old token keeps the new one
  CHECK(GetNow(*provider)->value().value == "tok-2");
  CHECK(provider->grants() == 2);
}

TEST_CASE("client credentials: invalid_client names the app, not the secret", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(401,
                  R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. )"
                  R"(Ensure the secret being sent in the request is the client secret value.\r\nTrace ID: 0a1b\r\n)"
                  R"(Correlation ID: 2c3d\r\nTimestamp: 2026-01-01 00:00:00Z","error_codes":[7000215]})");
  transport.Reply(200, TokenJson("tok-after-fix", 3600));
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());

  auto result = GetNow(*provider);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  const auto& status = result->status();
  CHECK(status.code() == StatusCode::kUnauthorized);
  const std::string& message = status.message();
  CHECK(message.find("AADSTS7000215") != std::string::npos);
  CHECK(message.find("app-1234") != std::string::npos);
  CHECK(message.find("login.example.test:8443") != std::string::npos);
  CHECK(message.find("invalid_client") != std::string::npos);
  CHECK(message.find("Trace ID") == std::string::npos);  // first line only
  CHECK(message.find(kSecret) == std::string::npos);
  CHECK(message.find("s3cr3t") == std::string::npos);

  // Failures are not cached: the next Get() grants again.
  CHECK(GetNow(*provider)->value().value == "tok-after-fix");
  CHECK(provider->grants() == 2);
}

TEST_CASE("client credentials: a secret echoed by the server is redacted", "[auth]") {
  ScriptedTransport transport;
  transport.Reply(400, std::string(R"({"error":"invalid_request","error_description":"bad value )") + "s3cr3t+/=&value~" +
                           R"("})");
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());
  auto result = GetNow(*provider);
  REQUIRE_FALSE(result->ok());
  CHECK(result->status().code() == StatusCode::kUnauthorized);
  CHECK(result->status().message().find(kSecret) == std::string::npos);
  CHECK(result->status().message().find("[redacted]") != std::string::npos);
}

TEST_CASE("client credentials: transport and server failures keep their category", "[auth]") {
  ScriptedTransport transport;
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());

  // A TLS failure is final: one grant.
  transport.Fail(crmsync::http::TransportError::kTls,
                 "login.example.test:8443: SSL certificate problem: certificate has expired");
  auto tls = GetNow(*provider);
  CHECK(tls->status().code() == StatusCode::kTls);
  CHECK(tls->status().message().find("certificate has expired") != std::string::npos);
  CHECK(provider->grants() == 1);

  // The rest is retried, 4 grants in all, and keeps its category when it persists.
  constexpr int kAttempts = 4;
  for (int i = 0; i < kAttempts; ++i) transport.Fail(crmsync::http::TransportError::kTimeout, "login.example.test:8443: Operation timed out");
  auto timed_out = GetNow(*provider);
  CHECK(timed_out->status().code() == StatusCode::kTransient);
  CHECK(timed_out->status().message().find("after 4 attempts") != std::string::npos);

  for (int i = 0; i < kAttempts; ++i) transport.Fail(crmsync::http::TransportError::kReset, "login.example.test:8443: Recv failure");
  CHECK(GetNow(*provider)->status().code() == StatusCode::kTransient);

  for (int i = 0; i < kAttempts; ++i) transport.Reply(503, "<html>busy</html>");
  CHECK(GetNow(*provider)->status().code() == StatusCode::kTransient);

  for (int i = 0; i < kAttempts; ++i) transport.Reply(429, "{}", {{"retry-after", "2.5"}});
  auto throttled = GetNow(*provider);
  CHECK(throttled->status().code() == StatusCode::kThrottled);
  CHECK(throttled->status().retry_after() == 2500ms);
  // Retry-After paced the retries.
  CHECK(transport.requests().back().delay == 2500ms);

  for (int i = 0; i < kAttempts; ++i) transport.Reply(200, R"({"token_type":"Bearer","access_token":"no-expiry"})");
  CHECK(GetNow(*provider)->status().code() == StatusCode::kCorruption);

  for (int i = 0; i < kAttempts; ++i) transport.Reply(200, "not json");
  CHECK(GetNow(*provider)->status().code() == StatusCode::kCorruption);
  CHECK(provider->grants() == 1 + 6 * kAttempts);
}

TEST_CASE("client credentials: a grant that failed transiently is retried and succeeds", "[auth]") {
  ScriptedTransport transport;
  auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config());
  transport.Fail(crmsync::http::TransportError::kReset, "login.example.test:8443: Recv failure");
  transport.Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_tok)");   // cut short
  transport.Reply(200, TokenJson("after-retries", 3599));
  auto token = GetNow(*provider);
  REQUIRE(token->ok());
  CHECK(token->value().value == "after-retries");
  CHECK(provider->grants() == 3);
}

namespace {

// A TokenKeeper in memory: what another process would find.
class MemoryKeeper final : public crmsync::auth::TokenKeeper {
 public:
  std::optional<crmsync::auth::KeptToken> Load(const std::string& key) override {
    auto it = kept.find(key);
    if (it == kept.end()) return std::nullopt;
    return it->second;
  }
  void Keep(const std::string& key, const crmsync::auth::KeptToken& token) override { kept[key] = token; }
  std::map<std::string, crmsync::auth::KeptToken> kept;
};

std::int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("client credentials with a keeper: a granted token is kept, and the next process starts with it",
          "[auth][keeper]") {
  MemoryKeeper keeper;
  ScriptedTransport first_transport;
  first_transport.Reply(200, TokenJson("kept-1", 3600));
  auto first = crmsync::auth::MakeClientCredentialsProvider(first_transport, Config(), {}, &keeper);
  CHECK(GetNow(*first)->value().value == "kept-1");
  REQUIRE(keeper.kept.size() == 1);
  const auto& [key, kept] = *keeper.kept.begin();
  CHECK(key.size() == 64);   // a SHA-256: the key is stored in the clear
  CHECK(key.find(Config().client_id) == std::string::npos);
  CHECK(kept.token.value == "kept-1");
  // Used until the refresh margin (300 s) before expires_in.
  CHECK(kept.use_until_unix_ms > UnixMs() + (3600 - 300 - 10) * 1000LL);
  CHECK(kept.use_until_unix_ms <= UnixMs() + (3600 - 300) * 1000LL);

  ScriptedTransport second_transport;   // no reply scripted: a grant would fail
  auto second = crmsync::auth::MakeClientCredentialsProvider(second_transport, Config(), {}, &keeper);
  auto reused = GetNow(*second);
  REQUIRE(reused);   // answered at once, without a request
  CHECK(reused->value().value == "kept-1");
  CHECK(second->grants() == 0);
  CHECK(second_transport.requests().empty());

  // Refused by the resource server: dropped, and a new grant is kept instead.
  second_transport.Reply(200, TokenJson("kept-2", 3600));
  second->Invalidate("kept-1");
  CHECK(GetNow(*second)->value().value == "kept-2");
  CHECK(keeper.kept.begin()->second.token.value == "kept-2");
}

TEST_CASE("client credentials with a keeper: an expired kept token, another scope's or another secret's is not used", "[auth][keeper]") {
  MemoryKeeper keeper;
  {
    ScriptedTransport transport;
    transport.Reply(200, TokenJson("graph-token", 3600));
    auto provider = crmsync::auth::MakeClientCredentialsProvider(transport, Config(), {}, &keeper);
    REQUIRE(GetNow(*provider)->ok());
  }
  auto other_scope = Config();
  other_scope.scope = "https://outlook.office365.com/.default";
  ScriptedTransport transport;
  transport.Reply(200, TokenJson("ews-token", 3600));
  auto ews = crmsync::auth::MakeClientCredentialsProvider(transport, other_scope, {}, &keeper);
  CHECK(GetNow(*ews)->value().value == "ews-token");
  CHECK(keeper.kept.size() == 2);

  // A changed client secret is not vouched for by the old secret's token.
  auto new_secret = Config();
  new_secret.client_secret = "rotated-secret";
  transport.Reply(200, TokenJson("new-secret-token", 3600));
  auto rotated = crmsync::auth::MakeClientCredentialsProvider(transport, new_secret, {}, &keeper);
  CHECK(GetNow(*rotated)->value().value == "new-secret-token");
  CHECK(keeper.kept.size() == 3);

  for (auto& [key, kept] : keeper.kept) kept.use_until_unix_ms = UnixMs() - 1;   // past its use
  transport.Reply(200, TokenJson("graph-token-2", 3600));
  auto graph = crmsync::auth::MakeClientCredentialsProvider(transport, Config(), {}, &keeper);
  CHECK(GetNow(*graph)->value().value == "graph-token-2");
  CHECK(graph->grants() == 1);
}

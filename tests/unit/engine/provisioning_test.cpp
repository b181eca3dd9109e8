// The provisioning API's verifier and handlers, with an injected clock and a
// real nonce store in a temporary directory.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crmsync/auth/hmac_request.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/provisioning.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/state/store.hpp"
#include "temp_dir.hpp"

using crmsync::engine::Config;
using crmsync::engine::ParseConfig;
using crmsync::engine::ParseProvisionedUser;
using crmsync::engine::ProvisioningService;
using crmsync::engine::ProvisioningVerifier;
using crmsync::engine::Verdict;
using crmsync::testing::TempDir;
namespace reason = crmsync::engine::reason;

namespace {

const std::string kCurrent = "acme-current-secret-0123456789abcdef";
const std::string kPrevious = "acme-previous-secret-0123456789abcdef";
const std::string kRetired = "acme-retired-secret-0123456789abcdef";
const std::string kGlobex = "globex-secret-0123456789abcdef012345";
constexpr std::int64_t kNow = 1'764'000'000;   // unix seconds of the fake clock
const std::string kUsersPath = "/v1/tenants/acme/users";
const std::string kBody = R"({"user_id":"u1","email":"U1@Acme.example"})";

std::string TenantToml(const std::string& id, const std::string& provisioning) {
  return "[[tenants]]\nid = \"" + id + "\"\ndomains = [\"" + id +
         ".example\"]\n[tenants.microsoft]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n"
         "[tenants.salesforce]\nclient_id = \"sc\"\nclient_secret = \"ss\"\nrefresh_token = \"rt\"\n" +
         provisioning;
}

Config TestConfig() {
  const std::string text =
      TenantToml("acme", "[tenants.provisioning]\nhmac_secrets = [\"" + kCurrent + "\", \"" + kPrevious + "\"]\n") +
      TenantToml("globex", "[tenants.provisioning]\nhmac_secrets = [\"" + kGlobex + "\"]\n") +
      TenantToml("closed", "");
  auto config = ParseConfig(text, "test.toml");
  REQUIRE(config.ok());
  return config.value();
}

struct FakeClock {
  std::atomic<std::int64_t> now_ms{kNow * 1000};
  crmsync::engine::UnixMillisClock fn() {
    return [this] { return now_ms.load(); };
  }
};

std::map<std::string, std::string> Sign(const std::string& secret, const std::string& method,
                                        const std::string& path, const std::string& body,
                                        std::int64_t timestamp = kNow, const std::string& nonce = {}) {
  auto signed_headers = crmsync::auth::SignRequest(secret, method, path, body, timestamp, nonce);
  REQUIRE(signed_headers.ok());
  std::map<std::string, std::string> headers;
  headers["x-crmsync-timestamp"] = signed_headers->timestamp;
  headers["x-crmsync-nonce"] = signed_headers->nonce;
  headers["x-crmsync-signature"] = signed_headers->signature;
  return headers;
}

std::unique_ptr<crmsync::state::Store> OpenStore(const std::string& dir) {
  auto store = crmsync::state::Store::Open(dir);
  REQUIRE(store.ok());
  return std::move(store.value());
}

struct Fixture {
  TempDir dir;
  Config config = TestConfig();
  FakeClock clock;
  std::unique_ptr<crmsync::state::Store> nonces = OpenStore(dir.Sub("serve"));
  ProvisioningVerifier verifier{config, *nonces, clock.fn()};

  Verdict Post(const std::map<std::string, std::string>& headers, const std::string& body = kBody,
               const std::string& path = kUsersPath) {
    return verifier.Verify("POST", path, headers, body);
  }
};

}  // namespace

TEST_CASE("provisioning: a correctly signed request is accepted with the current secret", "[provisioning]") {
  Fixture f;
  const Verdict v = f.Post(Sign(kCurrent, "POST", kUsersPath, kBody));
  CHECK(v.accepted());
  CHECK(v.tenant == "acme");
  CHECK(v.secret_index == 0);
  CHECK(v.http_status() == 200);
}

TEST_CASE("provisioning: wrong secret, tampered body and tampered path are bad_signature", "[provisioning]") {
  Fixture f;
  CHECK(f.Post(Sign("not-the-secret-0123456789abcdef0123", "POST", kUsersPath, kBody)).reason ==
        reason::kBadSignature);
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody), R"({"user_id":"u2","email":"u1@acme.example"})")
            .reason == reason::kBadSignature);
  const auto headers = Sign(kCurrent, "DELETE", "/v1/tenants/acme/users/u1", "");
  CHECK(f.verifier.Verify("DELETE", "/v1/tenants/acme/users/u2", headers, "").reason == reason::kBadSignature);
  CHECK(f.verifier.Verify("DELETE", "/v1/tenants/acme/users/u1", headers, "").accepted());
  // The method is signed too.
  const auto post = Sign(kCurrent, "POST", kUsersPath, kBody);
  CHECK(f.verifier.Verify("PUT", kUsersPath, post, kBody).reason == reason::kBadSignature);
  const Verdict refused = f.Post(Sign("not-the-secret-0123456789abcdef0123", "POST", kUsersPath, kBody));
  CHECK(refused.http_status() == 401);
}

TEST_CASE("provisioning: timestamps at exactly +-300 s pass, +-301 s are refused", "[provisioning]") {
  Fixture f;
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody, kNow - 300)).accepted());
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody, kNow + 300)).accepted());
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody, kNow - 301)).reason == reason::kTimestampOutOfWindow);
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody, kNow + 301)).reason == reason::kTimestampOutOfWindow);
  // The same request becomes stale as the clock moves on.
  const auto headers = Sign(kCurrent, "POST", kUsersPath, kBody, kNow);
  f.clock.now_ms = (kNow + 301) * 1000;
  CHECK(f.Post(headers).reason == reason::kTimestampOutOfWindow);
  f.clock.now_ms = (kNow + 300) * 1000;
  CHECK(f.Post(headers).accepted());
}

TEST_CASE("provisioning: one signed request sent 10,000 times from 8 threads is accepted once", "[provisioning]") {
  Fixture f;
  const auto headers = Sign(kCurrent, "POST", kUsersPath, kBody);
  constexpr int kThreads = 8;
  constexpr int kTotal = 10'000;
  std::atomic<int> next{0};
  std::atomic<int> accepted{0};
  std::atomic<int> replayed{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < kTotal) {
        const Verdict v = f.Post(headers);
        if (v.accepted()) {
          ++accepted;
        } else if (v.reason == reason::kReplayedNonce) {
          ++replayed;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(accepted.load() == 1);
  CHECK(replayed.load() == kTotal - 1);
  CHECK(other.load() == 0);
}

TEST_CASE("provisioning: a replay after a restart of the nonce store is refused", "[provisioning]") {
  TempDir dir;
  const Config config = TestConfig();
  FakeClock clock;
  const auto headers = Sign(kCurrent, "POST", kUsersPath, kBody);
  {
    auto nonces = OpenStore(dir.Sub("serve"));
    ProvisioningVerifier verifier(config, *nonces, clock.fn());
    REQUIRE(verifier.Verify("POST", kUsersPath, headers, kBody).accepted());
  }
  auto reopened = OpenStore(dir.Sub("serve"));
  ProvisioningVerifier verifier(config, *reopened, clock.fn());
  CHECK(verifier.Verify("POST", kUsersPath, headers, kBody).reason == reason::kReplayedNonce);
}

TEST_CASE("provisioning: current and previous secrets pass, a retired one and another tenant's fail",
          "[provisioning]") {
  Fixture f;
  const Verdict current = f.Post(Sign(kCurrent, "POST", kUsersPath, kBody));
  const Verdict previous = f.Post(Sign(kPrevious, "POST", kUsersPath, kBody));
  CHECK(current.accepted());
  CHECK(current.secret_index == 0);
  CHECK(previous.accepted());
  CHECK(previous.secret_index == 1);
  CHECK(f.Post(Sign(kRetired, "POST", kUsersPath, kBody)).reason == reason::kBadSignature);
  // globex's own secret is fine on globex's path, not on acme's.
  CHECK(f.Post(Sign(kGlobex, "POST", kUsersPath, kBody)).reason == reason::kBadSignature);
  const std::string globex_path = "/v1/tenants/globex/users";
  CHECK(f.Post(Sign(kGlobex, "POST", globex_path, kBody), kBody, globex_path).accepted());
  CHECK(f.Post(Sign(kCurrent, "POST", globex_path, kBody), kBody, globex_path).reason == reason::kBadSignature);
}

TEST_CASE("provisioning: missing, malformed headers and unknown tenants have their own reasons",
          "[provisioning]") {
  Fixture f;
  auto headers = Sign(kCurrent, "POST", kUsersPath, kBody);
  for (const char* name : {"x-crmsync-timestamp", "x-crmsync-nonce", "x-crmsync-signature"}) {
    auto without = headers;
    without.erase(name);
    CHECK(f.Post(without).reason == reason::kMissingSignature);
  }
  auto bad = headers;
  bad["x-crmsync-signature"] = "v2=" + headers["x-crmsync-signature"].substr(3);
  CHECK(f.Post(bad).reason == reason::kMalformedSignature);
  bad = headers;
  bad["x-crmsync-signature"] = headers["x-crmsync-signature"].substr(0, 40);
  CHECK(f.Post(bad).reason == reason::kMalformedSignature);
  bad = headers;
  bad["x-crmsync-timestamp"] = "-1764000000";
  CHECK(f.Post(bad).reason == reason::kMalformedSignature);
  bad = headers;
  bad["x-crmsync-timestamp"] = "99999999999999999999999";
  CHECK(f.Post(bad).reason == reason::kMalformedSignature);
  bad = headers;
  bad["x-crmsync-nonce"] = "short";
  CHECK(f.Post(bad).reason == reason::kMalformedSignature);

  const std::string unknown = "/v1/tenants/nobody/users";
  CHECK(f.Post(Sign(kCurrent, "POST", unknown, kBody), kBody, unknown).reason == reason::kUnknownTenant);
  const std::string closed = "/v1/tenants/closed/users";
  CHECK(f.Post(Sign(kCurrent, "POST", closed, kBody), kBody, closed).reason == reason::kUnknownTenant);
  // An upper-case hex signature is the same signature.
  auto upper = Sign(kCurrent, "POST", kUsersPath, kBody);
  std::string& sig = upper["x-crmsync-signature"];
  for (std::size_t i = 3; i < sig.size(); ++i) sig[i] = static_cast<char>(std::toupper(sig[i]));
  CHECK(f.Post(upper).accepted());
}

TEST_CASE("provisioning: a forged request does not burn the nonce", "[provisioning]") {
  Fixture f;
  const std::string nonce = "victim-nonce-0123456789";
  auto forged = Sign("not-the-secret-0123456789abcdef0123", "POST", kUsersPath, kBody, kNow, nonce);
  CHECK(f.Post(forged).reason == reason::kBadSignature);
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody, kNow, nonce)).accepted());
  CHECK(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody, kNow, nonce)).reason == reason::kReplayedNonce);
}

TEST_CASE("provisioning: nonce claims expire after the window and are purged", "[provisioning]") {
  Fixture f;
  REQUIRE(f.Post(Sign(kCurrent, "POST", kUsersPath, kBody)).accepted());
  auto none = f.verifier.PurgeExpiredNonces();
  REQUIRE(none.ok());
  CHECK(none.value() == 0);
  f.clock.now_ms = (kNow + crmsync::engine::kSignatureWindowSeconds + crmsync::engine::kNonceMarginSeconds + 1) *
                   1000;
  auto purged = f.verifier.PurgeExpiredNonces();
  REQUIRE(purged.ok());
  CHECK(purged.value() == 1);
}

TEST_CASE("provisioning: the POST body schema names the field at fault", "[provisioning]") {
  auto ok = ParseProvisionedUser(
      R"({"user_id":"u1","email":"U1@Acme.Example","aliases":["Alias@acme.example"],"salesforce_user_id":"005000000000001AAA"})");
  REQUIRE(ok.ok());
  CHECK(ok->user_id == "u1");
  CHECK(ok->email == "u1@acme.example");
  REQUIRE(ok->aliases.size() == 1);
  CHECK(ok->aliases[0] == "alias@acme.example");
  CHECK(ok->salesforce_user_id == "005000000000001AAA");

  struct Case {
    const char* body;
    const char* starts_with;
  };
  const Case cases[] = {
      {R"({"email":"u1@acme.example"})", "user_id"},
      {R"({"user_id":"u1"})", "email"},
      {R"({"user_id":"u1","email":"not-an-address"})", "email"},
      {R"({"user_id":"u1","email":"a@b@acme.example"})", "email"},
      {R"({"user_id":"u1","email":7})", "email"},
      {R"({"user_id":"u/1","email":"u1@acme.example"})", "user_id"},
      {R"({"user_id":"","email":"u1@acme.example"})", "user_id"},
      {R"({"user_id":"u1","email":"u1@acme.example","aliases":["ok@acme.example","bad"]})", "aliases[1]"},
      {R"({"user_id":"u1","email":"u1@acme.example","aliases":"x@acme.example"})", "aliases"},
      {R"({"user_id":"u1","email":"u1@acme.example","salesforce_user_id":"001000000000001"})", "salesforce_user_id"},
      {R"({"user_id":"u1","email":"u1@acme.example","role":"admin"})", "role"},
      {R"({"user_id":"u1","email":"u1@acme.example")", "document"},
      {R"([1,2])", "document"},
      {"{\"user_id\":\"u\xff\",\"email\":\"u1@acme.example\"}", "document: The input is not valid UTF-8"},
      {"", "empty body"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto r = ParseProvisionedUser(c.body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == crmsync::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::StartsWith(c.starts_with));
  }
}

TEST_CASE("provisioning: the service answers 202, 400, 401, 404, 405 and 413 and fills the inbox",
          "[provisioning]") {
  Fixture f;
  const std::string state_dir = f.dir.Sub("state");
  ProvisioningService service(f.config, *f.nonces, state_dir, f.clock.fn());

  auto accepted = service.HandleRequest("POST", kUsersPath, Sign(kCurrent, "POST", kUsersPath, kBody), kBody);
  CHECK(accepted.status == 202);
  CHECK_THAT(accepted.body, Catch::Contains(R"("status":"accepted")") && Catch::Contains(R"("user_id":"u1")"));

  auto replay_headers = Sign(kCurrent, "POST", kUsersPath, kBody);
  REQUIRE(service.HandleRequest("POST", kUsersPath, replay_headers, kBody).status == 202);
  auto replay = service.HandleRequest("POST", kUsersPath, replay_headers, kBody);
  CHECK(replay.status == 401);
  CHECK(replay.body == R"({"error":"replayed_nonce"})");

  const std::string bad_body = R"({"user_id":"u2","email":"nope"})";
  auto invalid = service.HandleRequest("POST", kUsersPath, Sign(kCurrent, "POST", kUsersPath, bad_body), bad_body);
  CHECK(invalid.status == 400);
  CHECK_THAT(invalid.body, Catch::Contains(R"("field":"email")"));

  const std::string del = "/v1/tenants/acme/users/u1";
  auto deleted = service.HandleRequest("DELETE", del, Sign(kCurrent, "DELETE", del, ""), "");
  CHECK(deleted.status == 202);
  CHECK_THAT(deleted.body, Catch::Contains(R"("op":"delete")"));

  CHECK(service.HandleRequest("GET", "/v1/other", {}, "").status == 404);
  CHECK(service.HandleRequest("GET", kUsersPath, {}, "").status == 405);
  CHECK(service.HandleRequest("POST", "/v1/tenants/acme/users/u1", {}, "").status == 405);
  const std::string huge(crmsync::engine::kMaxProvisioningBodyBytes + 1, ' ');
  CHECK(service.HandleRequest("POST", kUsersPath, Sign(kCurrent, "POST", kUsersPath, huge), huge).status == 413);
  auto unsigned_request = service.HandleRequest("POST", kUsersPath, {}, kBody);
  CHECK(unsigned_request.status == 401);
  CHECK(unsigned_request.body == R"({"error":"missing_signature"})");

  // Two upserts and one delete reached the inbox; nothing secret is in them.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(crmsync::engine::InboxDir(state_dir))) {
    ++files;
    auto read = crmsync::engine::ReadInboxEntry(entry.path().string());
    REQUIRE(read.ok());
    CHECK(read->tenant == "acme");
  }
  CHECK(files == 3);
}

TEST_CASE("provisioning: routes for upsert, delete and first-logon activation", "[provisioning]") {
  using crmsync::engine::MatchProvisioningRoute;
  using Kind = crmsync::engine::ProvisioningRoute::Kind;
  auto activate = MatchProvisioningRoute("POST", "/v1/tenants/acme/users/u1/activate");
  CHECK(activate.kind == Kind::kActivateUser);
  CHECK(activate.user == "u1");
  CHECK(activate.tenant == "acme");
  CHECK(activate.method_allowed);
  CHECK_FALSE(MatchProvisioningRoute("DELETE", "/v1/tenants/acme/users/u1/activate").method_allowed);
  CHECK(MatchProvisioningRoute("POST", "/v1/tenants/acme/users//activate").kind == Kind::kNone);
  CHECK(MatchProvisioningRoute("POST", "/v1/tenants/acme/users/u1/other").kind == Kind::kNone);
  CHECK(MatchProvisioningRoute("DELETE", "/v1/tenants/acme/users/u1").kind == Kind::kDeleteUser);
  CHECK(MatchProvisioningRoute("POST", "/v1/tenants/acme/users").kind == Kind::kUpsertUser);
}

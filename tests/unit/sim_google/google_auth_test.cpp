#include <catch2/catch.hpp>

#include "google_test_support.hpp"

namespace crmsync::sim::testing {
namespace {

std::string ErrorOf(const HttpResponse& r) {
  simdjson::dom::parser p;
  return Str(Json(p, r)["error"]);
}

TEST_CASE("providers are assigned to tenants in turn", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(3, 2, 1, clock));
  const auto& tenants = sim.corpus().tenants();
  CHECK(tenants[0].provider == Provider::kGraph);
  CHECK(tenants[1].provider == Provider::kGmail);
  CHECK(tenants[2].provider == Provider::kGraph);
  CHECK(sim.google_auth().Account(0) == nullptr);
  REQUIRE(sim.google_auth().Account(1) != nullptr);
}

TEST_CASE("key file is Google's service-account format and its key signs accepted JWTs", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 2, 1, clock));
  std::string json = sim.google_auth().KeyFileJson(1);
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(json);
  CHECK(Str(doc["type"]) == "service_account");
  CHECK(Str(doc["token_uri"]) == std::string(kOrigin) + "/token");
  CHECK(Str(doc["client_email"]).find(".iam.gserviceaccount.com") != std::string::npos);
  CHECK(Str(doc["client_id"]).find_first_not_of("0123456789") == std::string::npos);
  for (const char* field : {"project_id", "private_key_id", "auth_uri", "auth_provider_x509_cert_url",
                            "client_x509_cert_url", "universe_domain"}) {
    CHECK_FALSE(Str(doc[field]).empty());
  }
  std::string pem = Str(doc["private_key"]);
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  auto key = google::RsaKey::FromPrivatePem(pem);
  REQUIRE(key.ok());
  JwtClaims c = ClaimsFor(sim, 1, 0);
  HttpResponse r = PostAssertion(sim, SignJwt(key.value(), c));
  REQUIRE(r.status == 200);
  simdjson::dom::element ok = p.parse(r.body);
  CHECK(Str(ok["token_type"]) == "Bearer");
  CHECK(int64_t(ok["expires_in"]) == 3599);
}

TEST_CASE("token endpoint refuses bad JWTs with Google's errors", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 2, 1, clock));
  const google::RsaKey& key = *sim.google_auth().Account(1)->key;
  // One simulator for all cases: generating its RSA key is the slow part.
  const JwtClaims base = ClaimsFor(sim, 1, 1);

  {  // tampered payload
    JwtClaims good = base;
    std::string jwt = SignJwt(key, good);
    JwtClaims other = good;
    other.sub = sim.corpus().tenants()[1].users[0].primary;
    std::string forged = SignJwt(key, other);
    // other's payload with good's signature
    std::string mixed = forged.substr(0, forged.rfind('.')) + jwt.substr(jwt.rfind('.'));
    HttpResponse r = PostAssertion(sim, mixed);
    CHECK(r.status == 400);
    CHECK(ErrorOf(r) == "invalid_grant");
    CHECK(r.body.find("Invalid JWT Signature.") != std::string::npos);
  }
  {  // wrong key
    JwtClaims good = base;
    auto wrong = google::RsaKey::Generate(2048);
    REQUIRE(wrong.ok());
    HttpResponse r = PostAssertion(sim, SignJwt(wrong.value(), good));
    CHECK(r.status == 400);
    CHECK(r.body.find("Invalid JWT Signature.") != std::string::npos);
  }
  {  // unknown iss
    JwtClaims good = base;
    good.iss = "someone@else.iam.gserviceaccount.com";
    HttpResponse r = PostAssertion(sim, SignJwt(key, good));
    CHECK(r.status == 400);
    CHECK(r.body.find("Invalid JWT Signature.") != std::string::npos);
  }
  {  // missing iss
    JwtClaims good = base;
    good.with_iss = false;
    HttpResponse r = PostAssertion(sim, SignJwt(key, good));
    CHECK(r.status == 400);
  }
  {  // aud mismatch
    JwtClaims good = base;
    good.aud = "https://oauth2.googleapis.com/token";
    HttpResponse r = PostAssertion(sim, SignJwt(key, good));
    CHECK(r.status == 400);
    CHECK(ErrorOf(r) == "invalid_grant");
  }
  {  // exp too long
    JwtClaims good = base;
    good.exp = good.iat + 3601;
    HttpResponse r = PostAssertion(sim, SignJwt(key, good));
    CHECK(r.status == 400);
    CHECK(r.body.find("short-lived token") != std::string::npos);
  }
  {  // expired assertion
    JwtClaims good = base;
    good.iat = kNow - 7200;
    good.exp = kNow - 3600;
    CHECK(PostAssertion(sim, SignJwt(key, good)).status == 400);
  }
  {  // unknown sub, or a user of another tenant
    JwtClaims good = base;
    good.sub = "nobody@" + sim.corpus().tenants()[1].domains[0];
    HttpResponse r = PostAssertion(sim, SignJwt(key, good));
    CHECK(r.status == 400);
    CHECK(r.body.find("Invalid email or User ID") != std::string::npos);
    good.sub = sim.corpus().tenants()[0].users[0].primary;
    CHECK(PostAssertion(sim, SignJwt(key, good)).status == 400);
  }
  {  // scope not delegated
    JwtClaims good = base;
    good.scope = "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/drive";
    HttpResponse r = PostAssertion(sim, SignJwt(key, good));
    CHECK(r.status == 401);
    CHECK(ErrorOf(r) == "unauthorized_client");
  }
}

TEST_CASE("revoking delegation gives unauthorized_client", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 2, 1, clock));
  const google::RsaKey& key = *sim.google_auth().Account(1)->key;
  REQUIRE(PostAssertion(sim, SignJwt(key, ClaimsFor(sim, 1, 0))).status == 200);
  HttpResponse admin = sim.Handle(Request("POST", "/_sim/google/delegation", {}, {}, R"({"tenant":"tenant-2","granted":false})"));
  REQUIRE(admin.status == 200);
  HttpResponse r = PostAssertion(sim, SignJwt(key, ClaimsFor(sim, 1, 0)));
  CHECK(r.status == 401);
  CHECK(ErrorOf(r) == "unauthorized_client");
  CHECK(sim.Handle(Request("POST", "/_sim/google/delegation", {}, {}, R"({"tenant":"tenant-1","granted":false})")).status == 400);
  // Re-grant with a narrower scope list.
  REQUIRE(sim.Handle(Request("POST", "/_sim/google/delegation", {}, {},
                             R"({"tenant":"tenant-2","granted":true,"scopes":["https://www.googleapis.com/auth/gmail.readonly"]})"))
              .status == 200);
  CHECK(PostAssertion(sim, SignJwt(key, ClaimsFor(sim, 1, 0))).status == 200);
  JwtClaims dir = ClaimsFor(sim, 1, 0);
  dir.scope = std::string(google::kDirectoryUserReadonlyScope);
  CHECK(PostAssertion(sim, SignJwt(key, dir)).status == 401);
}

TEST_CASE("config writes Gmail tenants with their key files, Microsoft tenants as before", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 2, 1, clock));
  ConfigTarget target{"https://127.0.0.1:5555", "/tmp/ca.pem", "61.0", "/tmp/keys"};
  std::string text = RenderConfig(sim.corpus(), target);
  CHECK(text.find("[tenants.microsoft]") != std::string::npos);
  auto google = text.find("[tenants.google]");
  REQUIRE(google != std::string::npos);
  CHECK(text.find("key_file = \"/tmp/keys/tenant-2-service-account.json\"") != std::string::npos);
  CHECK(text.find("admin_email = \"" + sim.corpus().tenants()[1].users[0].primary + "\"") != std::string::npos);
  CHECK(text.find("api_url = \"https://127.0.0.1:5555\"") != std::string::npos);
  CHECK(text.find("directory_url = \"https://127.0.0.1:5555\"") != std::string::npos);
  // Exactly one Microsoft block (tenant-1) and one Google block (tenant-2).
  CHECK(text.find("[tenants.microsoft]", text.find("[tenants.microsoft]") + 1) == std::string::npos);
  CHECK(text.find("[tenants.salesforce]", google) != std::string::npos);
  CHECK(text.find(sim.corpus().tenants()[1].ms_client_secret) == std::string::npos);
}

}  // namespace
}  // namespace crmsync::sim::testing

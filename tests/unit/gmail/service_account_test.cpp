#include <catch2/catch.hpp>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "crmsync/auth/service_account.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"
#include "test_key.hpp"

using namespace crmsync;
using crmsync::testing::ScriptedTransport;

namespace {

std::string Base64UrlDecode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  REQUIRE(n >= 0);
  out.resize(static_cast<std::size_t>(n));
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(out.size() - pad);
  return out;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("service-account key file: a valid file gives every field", "[gmail][auth]") {
  Result<auth::ServiceAccountKey> key = auth::ParseServiceAccountKey(testing::TestKeyFileJson());
  REQUIRE(key.ok());
  CHECK(key->project_id == "acme-crm");
  CHECK(key->private_key_id == "kid-0123");
  CHECK(key->client_email == "crmsync@acme-crm.iam.gserviceaccount.com");
  CHECK(key->client_id == "109876543210");
  CHECK(key->token_uri == "https://oauth2.googleapis.com/token");
  CHECK(key->private_key == testing::TestRsaKey().private_pem);
}

TEST_CASE("service-account key file: failures an administrator can act on", "[gmail][auth]") {
  const std::string good = testing::TestKeyFileJson();
  SECTION("an OAuth client's file") {
    auto key = auth::ParseServiceAccountKey(testing::TestKeyFileJson("authorized_user"));
    REQUIRE(key.status().code() == StatusCode::kInvalidArgument);
    CHECK(key.status().message() == "not a service-account key file: type is 'authorized_user'");
  }
  SECTION("no type") {
    auto key = auth::ParseServiceAccountKey(Replace(good, R"("type":"service_account",)", ""));
    CHECK(key.status().message().find("not a service-account key file") != std::string::npos);
  }
  SECTION("missing client_email") {
    auto key = auth::ParseServiceAccountKey(
        Replace(good, R"("client_email":"crmsync@acme-crm.iam.gserviceaccount.com",)", ""));
    REQUIRE(!key.ok());
    CHECK(key.status().message().find("missing client_email") != std::string::npos);
  }
  SECTION("empty token_uri") {
    auto key = auth::ParseServiceAccountKey(
        Replace(good, R"("token_uri":"https://oauth2.googleapis.com/token")", R"("token_uri":"")"));
    CHECK(key.status().message().find("missing token_uri") != std::string::npos);
  }
  SECTION("a broken private key, never quoted") {
    // Drop a chunk out of the middle of the base64 body.
    const std::string pem_start = "-----BEGIN PRIVATE KEY-----\\n";
    const auto at = good.find(pem_start) + pem_start.size() + 100;
    std::string broken = good;
    broken.erase(at, 200);
    auto key = auth::ParseServiceAccountKey(broken);
    REQUIRE(key.status().code() == StatusCode::kInvalidArgument);
    CHECK(key.status().message().find("private_key is not a valid PEM RSA key") != std::string::npos);
    CHECK(key.status().message().find("BEGIN") == std::string::npos);
    CHECK(key.status().message().size() < 120);
  }
  SECTION("an EC key is not an RSA key") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ec(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), ec.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    std::string pem;
    for (long i = 0; i < size; ++i) pem += data[i] == '\n' ? std::string("\\n") : std::string(1, data[i]);
    std::string file = good;
    const auto from = file.find("-----BEGIN PRIVATE KEY");
    const auto to = file.find("\",\"client_email\"");
    file.replace(from, to - from, pem);
    auto key = auth::ParseServiceAccountKey(file);
    CHECK(key.status().message().find("private_key is not a valid PEM RSA key") != std::string::npos);
  }
  SECTION("not JSON") {
    CHECK(!auth::ParseServiceAccountKey("-----BEGIN PRIVATE KEY-----").ok());
    CHECK(!auth::ParseServiceAccountKey("").ok());
    CHECK(!auth::ParseServiceAccountKey("[1,2]").ok());
  }
  SECTION("a field of the wrong type") {
    auto key = auth::ParseServiceAccountKey(Replace(good, R"("client_id":"109876543210")", R"("client_id":109876543210)"));
    CHECK(key.status().message().find("client_id is not a string") != std::string::npos);
  }
}

TEST_CASE("JWT assertion: RS256 structure and a signature the public key verifies", "[gmail][auth]") {
  const auth::ServiceAccountKey key = testing::TestServiceAccountKey();
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1714557600));
  const std::string jwt = auth::BuildJwtAssertion(
      key, "alice@acme.example", {"https://www.googleapis.com/auth/gmail.readonly", "scope-b"}, now);
  REQUIRE(!jwt.empty());
  CHECK(jwt.find('=') == std::string::npos);
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  REQUIRE(dot2 != std::string::npos);
  REQUIRE(jwt.find('.', dot2 + 1) == std::string::npos);
  CHECK(Base64UrlDecode(jwt.substr(0, dot1)) == R"({"alg":"RS256","typ":"JWT","kid":"kid-0123"})");
  CHECK(Base64UrlDecode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)) ==
        R"({"iss":"crmsync@acme-crm.iam.gserviceaccount.com","sub":"alice@acme.example",)"
        R"("scope":"https://www.googleapis.com/auth/gmail.readonly scope-b",)"
        R"("aud":"https://oauth2.googleapis.com/token","iat":1714557600,"exp":1714561200})");

  const std::string signed_part = jwt.substr(0, dot2);
  const std::string signature = Base64UrlDecode(jwt.substr(dot2 + 1));
  CHECK(signature.size() == 256);
  auto verify = [&](const std::string& input) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, testing::TestRsaKey().public_key) == 1);
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  };
  CHECK(verify(signed_part));
  std::string tampered = signed_part;
  tampered[tampered.size() - 2] ^= 1;
  CHECK_FALSE(verify(tampered));
}

TEST_CASE("JWT assertion: no sub without a subject", "[gmail][auth]") {
  const std::string jwt = auth::BuildJwtAssertion(testing::TestServiceAccountKey(), "", {"s"},
                                                  std::chrono::system_clock::now());
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  CHECK(Base64UrlDecode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)).find("\"sub\"") == std::string::npos);
}

TEST_CASE("service-account provider: JWT-bearer grant, cached per user", "[gmail][auth]") {
  ScriptedTransport transport;
  auto key = testing::TestServiceAccountKey("https://oauth2.test/token");
  auto provider = auth::MakeServiceAccountProvider(transport, key, "bob@acme.example",
                                                   {"https://www.googleapis.com/auth/gmail.readonly"}, "/ca.pem");
  transport.Reply(200, R"({"access_token":"ya29.bob","expires_in":3599,"token_type":"Bearer"})");
  auto token = testing::GetNow(*provider);
  REQUIRE(token.has_value());
  REQUIRE(token->ok());
  CHECK(token->value().value == "ya29.bob");
  auto again = testing::GetNow(*provider);
  REQUIRE(again.has_value());
  CHECK(again->value().value == "ya29.bob");
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(provider->grants() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].url == "https://oauth2.test/token");
  CHECK(requests[0].ca_file == "/ca.pem");
  auto form = testing::DecodeForm(requests[0].body);
  CHECK(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer");
  const std::string assertion = form["assertion"];
  const auto dot1 = assertion.find('.');
  const auto dot2 = assertion.find('.', dot1 + 1);
  const std::string claims = Base64UrlDecode(assertion.substr(dot1 + 1, dot2 - dot1 - 1));
  CHECK(claims.find(R"("sub":"bob@acme.example")") != std::string::npos);
  CHECK(claims.find(R"("aud":"https://oauth2.test/token")") != std::string::npos);
}

TEST_CASE("service-account provider: refusals in words an administrator can act on", "[gmail][auth]") {
  ScriptedTransport transport;
  auto key = testing::TestServiceAccountKey("https://oauth2.test/token");
  auto provider = auth::MakeServiceAccountProvider(
      transport, key, "bob@acme.example",
      {"https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/calendar.readonly"}, "");
  auto no_secret = [&](const Status& status) {
    CHECK(status.message().find("PRIVATE KEY") == std::string::npos);
    const std::string form = transport.requests().back().body;
    const std::string assertion = testing::DecodeForm(form)["assertion"];
    CHECK(status.message().find(assertion.substr(assertion.rfind('.') + 1, 40)) == std::string::npos);
  };
  SECTION("delegation not granted") {
    transport.Reply(401, R"({"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."})");
    auto token = testing::GetNow(*provider);
    REQUIRE(token.has_value());
    REQUIRE(token->status().code() == StatusCode::kUnauthorized);
    CHECK(token->status().message() ==
          "domain-wide delegation is not granted to client_id 109876543210 for scopes "
          "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/calendar.readonly "
          "(unauthorized_client)");
    no_secret(token->status());
  }
  SECTION("signature refused") {
    transport.Reply(400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})");
    auto token = testing::GetNow(*provider);
    REQUIRE(token->status().code() == StatusCode::kUnauthorized);
    CHECK(token->status().message().find("invalid_grant: Invalid JWT Signature.") != std::string::npos);
    CHECK(token->status().message().find("bob@acme.example") != std::string::npos);
    no_secret(token->status());
  }
  SECTION("a grant without expires_in is not used") {
    // Asked 4 times (an unreadable answer may have been cut short), then refused.
    for (int i = 0; i < 4; ++i) transport.Reply(200, R"({"access_token":"ya29.x"})");
    auto token = testing::GetNow(*provider);
    CHECK(token->status().code() == StatusCode::kCorruption);
    CHECK(token->status().message().find("ya29") == std::string::npos);
  }
  SECTION("throttled") {
    for (int i = 0; i < 4; ++i) transport.Reply(429, "{}", {{"retry-after", "3"}});
    auto token = testing::GetNow(*provider);
    CHECK(token->status().code() == StatusCode::kThrottled);
    CHECK(provider->grants() == 4);
  }
}

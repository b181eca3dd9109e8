#include "test_key.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

namespace crmsync::testing {

const TestKeyPair& TestRsaKey() {
  static const TestKeyPair pair = [] {
    TestKeyPair out;
    EVP_PKEY* key = EVP_RSA_gen(2048);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    out.private_pem.assign(data, static_cast<std::size_t>(size));
    out.public_key = key;  // holds the public half too
    return out;
  }();
  return pair;
}

auth::ServiceAccountKey TestServiceAccountKey(const std::string& token_uri) {
  auth::ServiceAccountKey key;
  key.project_id = "acme-crm";
  key.private_key_id = "kid-0123";
  key.private_key = TestRsaKey().private_pem;
  key.client_email = "crmsync@acme-crm.iam.gserviceaccount.com";
  key.client_id = "109876543210";
  key.token_uri = token_uri;
  return key;
}

std::string TestKeyFileJson(const std::string& type) {
  std::string pem;
  for (char c : TestRsaKey().private_pem) pem += c == '\n' ? std::string("\\n") : std::string(1, c);
  return fmt::format(
      R"({{"type":"{}","project_id":"acme-crm","private_key_id":"kid-0123","private_key":"{}",)"
      R"("client_email":"crmsync@acme-crm.iam.gserviceaccount.com","client_id":"109876543210",)"
      R"("auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token"}})",
      type, pem);
}

}  // namespace crmsync::testing

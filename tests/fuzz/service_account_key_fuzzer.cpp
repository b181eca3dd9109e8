// libFuzzer target: the Google service-account key file (JSON with a PEM
// private key). Any bytes give a key or a clear error, never a crash, and the
// error never echoes the private key material. No private key is committed:
// a seed's "@TEST_RSA_KEY@" is replaced by a PEM generated at start-up, so
// the seeds still reach the RSA path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crmsync/auth/service_account.hpp"

namespace {

// The PEM, JSON-escaped (newlines as \n) for splicing into a key file.
std::string GeneratedKeyJsonPem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) std::abort();
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) std::abort();
  char* bytes = nullptr;
  const long n = BIO_get_mem_data(bio, &bytes);
  std::string escaped;
  for (long i = 0; i < n; ++i) {
    if (bytes[i] == '\n') {
      escaped += "\\n";
    } else {
      escaped += bytes[i];
    }
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return escaped;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string pem = GeneratedKeyJsonPem();
  std::string input(reinterpret_cast<const char*>(data), size);
  // Only as the value of "private_key": spliced into another field (which an
  // error may rightly quote, like "type is '...'") it would not be key material.
  constexpr std::string_view kPlaceholder = "\"private_key\": \"@TEST_RSA_KEY@\"";
  const bool has_key = input.find(kPlaceholder) != std::string::npos;
  if (has_key) {
    input.replace(input.find(kPlaceholder), kPlaceholder.size(), "\"private_key\": \"" + pem + "\"");
  }
  auto key = crmsync::auth::ParseServiceAccountKey(input);
  if (key.ok()) return 0;
  const std::string message = key.status().ToString();
  if (has_key && message.find("PRIVATE KEY-----") != std::string::npos) std::abort();
  return 0;
}

// An RSA key pair (OpenSSL EVP_PKEY) for the simulated service accounts:
// generation, PKCS#8 PEM export, RS256 (RSASSA-PKCS1-v1_5 with SHA-256)
// signing and verification. Copies share the key; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"

struct evp_pkey_st;   // OpenSSL's EVP_PKEY, kept out of this header

namespace crmsync::sim::google {

class RsaKey {
 public:
  static Result<RsaKey> Generate(int bits = 2048);
  // A PEM private key (PKCS#8 or traditional).
  static Result<RsaKey> FromPrivatePem(std::string_view pem);

  // "-----BEGIN PRIVATE KEY-----\n..." (PKCS#8, unencrypted).
  std::string PrivatePkcs8Pem() const;
  // RS256 signature of `data`; empty on failure.
  std::string SignRs256(std::string_view data) const;
  bool VerifyRs256(std::string_view data, std::string_view signature) const;

 private:
  explicit RsaKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace crmsync::sim::google

// A service-account key generated once per test run (no private key is
// committed), and the matching public key for signature checks.
#pragma once

#include <openssl/evp.h>

#include <string>

#include "crmsync/auth/service_account.hpp"

namespace crmsync::testing {

struct TestKeyPair {
  std::string private_pem;
  EVP_PKEY* public_key = nullptr;  // owned by the process-wide instance
};

const TestKeyPair& TestRsaKey();
// A ServiceAccountKey with TestRsaKey() and token_uri = `token_uri`.
auth::ServiceAccountKey TestServiceAccountKey(const std::string& token_uri = "https://oauth2.googleapis.com/token");
// The key file JSON for TestServiceAccountKey(), with `type`.
std::string TestKeyFileJson(const std::string& type = "service_account");

}  // namespace crmsync::testing

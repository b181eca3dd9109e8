// The key file's PEM private key as an OpenSSL key, shared by the key-file
// validation and the JWT signer.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string_view>

namespace crmsync::auth::detail {

using EvpKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// The RSA private key in `pem`, or null (any other key type, or garbage).
// Clears OpenSSL's error queue so no fragment of the key can leak from it.
EvpKey ReadRsaPrivateKey(std::string_view pem);

}  // namespace crmsync::auth::detail

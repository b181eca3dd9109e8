// HMAC-SHA256 request signing for the provisioning API (`crmsync serve`).
//
// The signature covers the canonical string
//   METHOD "\n" PATH "\n" TIMESTAMP "\n" NONCE "\n" hex(SHA-256(body))
// with METHOD upper-cased, PATH exactly as the server sees it (the
// percent-decoded path, no query string), TIMESTAMP unix seconds in decimal.
// It travels in three headers (see README.md, "Provisioning API"):
//   X-Crmsync-Timestamp: 1764000000
//   X-Crmsync-Nonce:     <16..128 of [A-Za-z0-9_-]>
//   X-Crmsync-Signature: v1=<64 lower-case hex digits>
// Every function is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::auth {

inline constexpr std::string_view kTimestampHeader = "X-Crmsync-Timestamp";
inline constexpr std::string_view kNonceHeader = "X-Crmsync-Nonce";
inline constexpr std::string_view kSignatureHeader = "X-Crmsync-Signature";
// The version prefix of the signature header's value.
inline constexpr std::string_view kSignaturePrefix = "v1=";

// Raw 32-byte HMAC-SHA256 of `message` under `key`; empty only when OpenSSL
// itself fails (out of memory).
std::string HmacSha256(std::string_view key, std::string_view message);
// The same in lower-case hex (64 digits).
std::string HmacSha256Hex(std::string_view key, std::string_view message);
// Lower-case hex SHA-256 of `bytes` (64 digits).
std::string Sha256Hex(std::string_view bytes);
std::string HexEncode(std::string_view raw);

// The string the signature covers (see the file comment).
std::string CanonicalString(std::string_view method, std::string_view path, std::int64_t timestamp,
                            std::string_view nonce, std::string_view body);

// Equality in time that depends only on the lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// 32 lower-case hex digits from the OS's CSPRNG (RAND_bytes).
Result<std::string> RandomNonce();

struct SignedHeaders {
  std::string timestamp;   // value of X-Crmsync-Timestamp
  std::string nonce;       // value of X-Crmsync-Nonce
  std::string signature;   // value of X-Crmsync-Signature ("v1=...")
  // The three as (name, value), in the order above.
  std::vector<std::pair<std::string, std::string>> List() const;
};

// Signs a request with `secret`. An empty `nonce` draws a random one.
// Fails (kInvalidArgument) on an empty secret or a nonce outside
// 16..128 characters of [A-Za-z0-9_-]; the secret never appears in errors.
Result<SignedHeaders> SignRequest(std::string_view secret, std::string_view method, std::string_view path,
                                  std::string_view body, std::int64_t timestamp, std::string nonce = {});

// Whether `nonce` has the form SignRequest and the verifier accept.
bool IsWellFormedNonce(std::string_view nonce);

}  // namespace crmsync::auth

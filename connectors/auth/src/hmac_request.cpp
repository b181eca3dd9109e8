#include "crmsync/auth/hmac_request.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>

#include <fmt/format.h>

namespace crmsync::auth {
namespace {

constexpr std::size_t kMinNonce = 16;
constexpr std::size_t kMaxNonce = 128;

std::string UpperAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // HMAC() wants a non-null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &out_len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  return HexEncode(HmacSha256(key, message));
}

std::string HexEncode(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0f];
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string CanonicalString(std::string_view method, std::string_view path, std::int64_t timestamp,
                            std::string_view nonce, std::string_view body) {
  return fmt::format("{}\n{}\n{}\n{}\n{}", UpperAscii(method), path, timestamp, nonce, Sha256Hex(body));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> RandomNonce() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Io("nonce: RAND_bytes failed");
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

bool IsWellFormedNonce(std::string_view nonce) {
  if (nonce.size() < kMinNonce || nonce.size() > kMaxNonce) return false;
  for (char c : nonce) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> SignedHeaders::List() const {
  return {{std::string(kTimestampHeader), timestamp},
          {std::string(kNonceHeader), nonce},
          {std::string(kSignatureHeader), signature}};
}

Result<SignedHeaders> SignRequest(std::string_view secret, std::string_view method, std::string_view path,
                                  std::string_view body, std::int64_t timestamp, std::string nonce) {
  if (secret.empty()) return Status::InvalidArgument("sign request: the secret is empty");
  if (nonce.empty()) {
    auto random = RandomNonce();
    if (!random.ok()) return random.status();
    nonce = std::move(random.value());
  }
  if (!IsWellFormedNonce(nonce)) {
    return Status::InvalidArgument(fmt::format(
        "sign request: nonce must be {}..{} characters of [A-Za-z0-9_-] (got {} characters)", kMinNonce,
        kMaxNonce, nonce.size()));
  }
  const std::string mac = HmacSha256Hex(secret, CanonicalString(method, path, timestamp, nonce, body));
  if (mac.empty()) return Status::Io("sign request: HMAC-SHA256 failed in OpenSSL");
  SignedHeaders headers;
  headers.timestamp = std::to_string(timestamp);
  headers.nonce = std::move(nonce);
  headers.signature = std::string(kSignaturePrefix) + mac;
  return headers;
}

}  // namespace crmsync::auth

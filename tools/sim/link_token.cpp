#include "link_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>

#include <memory>

#include "prng.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

// HMAC-SHA256 of `payload` under `key` into `mac` (32 bytes). HMAC() fetches
// the algorithm from OpenSSL's provider store on every call (a lock and a
// lookup: most of a token's cost, two tokens per page), so each thread keeps
// a context keyed once and re-initializes it with the same key.
void Sha256Mac(std::string_view key, std::string_view payload, unsigned char* mac) {
  struct MacDeleter {
    void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MAC, MacDeleter> algorithm(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  thread_local std::unique_ptr<EVP_MAC_CTX, MacDeleter> context(algorithm ? EVP_MAC_CTX_new(algorithm.get()) : nullptr);
  thread_local std::string context_key;
  thread_local bool keyed = false;
  const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
  std::size_t length = 0;
  bool ok = context != nullptr;
  if (ok && (!keyed || context_key != key)) {
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    keyed = EVP_MAC_init(context.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1;
    context_key.assign(key);
    ok = keyed;
  } else if (ok) {
    ok = EVP_MAC_init(context.get(), nullptr, 0, nullptr) == 1;   // the same key again
  }
  ok = ok && EVP_MAC_update(context.get(), data, payload.size()) == 1 &&
       EVP_MAC_final(context.get(), mac, &length, 32) == 1 && length == 32;
  if (!ok) {   // the one-shot form, should the provider refuse a reused context
    keyed = false;
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data, payload.size(), mac, &mac_len);
  }
}

constexpr std::size_t kMacBytes = 10;
constexpr char kDeltaVersion = 'D';
constexpr char kUsersVersion = 'U';

void Put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Get(std::uint64_t& v, int bytes) {
    if (data_.size() < static_cast<std::size_t>(bytes)) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(data_[static_cast<std::size_t>(i)])} << (8 * i);
    data_.remove_prefix(static_cast<std::size_t>(bytes));
    return true;
  }
  bool Int(int& v) {
    std::uint64_t x = 0;
    if (!Get(x, 4) || x > 0x7fffffff) return false;
    v = static_cast<int>(x);
    return true;
  }
  bool done() const { return data_.empty(); }

 private:
  std::string_view data_;
};

}  // namespace

LinkTokens::LinkTokens(std::uint64_t seed) {
  Put(key_, HashOf(seed, Tag::kTokenKey, {1}), 8);
  Put(key_, HashOf(seed, Tag::kTokenKey, {2}), 8);
}

std::string LinkTokens::Seal(std::string payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  Sha256Mac(key_, payload, mac);
  payload.append(reinterpret_cast<const char*>(mac), kMacBytes);
  return Base64UrlEncode(payload);
}

std::optional<std::string> LinkTokens::Open(std::string_view token) const {
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() <= kMacBytes) return std::nullopt;
  std::string payload = raw->substr(0, raw->size() - kMacBytes);
  unsigned char mac[EVP_MAX_MD_SIZE];
  Sha256Mac(key_, payload, mac);
  if (CRYPTO_memcmp(mac, raw->data() + payload.size(), kMacBytes) != 0) return std::nullopt;
  return payload;
}

std::string LinkTokens::Encode(const DeltaPosition& p) const {
  std::string out(1, kDeltaVersion);
  Put(out, p.is_delta ? 1 : 0, 1);
  Put(out, static_cast<std::uint64_t>(p.tenant), 4);
  Put(out, static_cast<std::uint64_t>(p.user), 4);
  Put(out, static_cast<std::uint64_t>(p.folder), 1);
  Put(out, static_cast<std::uint64_t>(p.from_epoch), 4);
  Put(out, static_cast<std::uint64_t>(p.to_epoch), 4);
  Put(out, static_cast<std::uint64_t>(p.cursor.epoch), 4);
  Put(out, static_cast<std::uint64_t>(p.cursor.slot), 4);
  Put(out, static_cast<std::uint64_t>(p.cursor.index), 4);
  Put(out, p.select_mask, 8);
  return Seal(std::move(out));
}

std::optional<DeltaPosition> LinkTokens::DecodeDelta(std::string_view token) const {
  auto payload = Open(token);
  if (!payload || payload->empty() || (*payload)[0] != kDeltaVersion) return std::nullopt;
  Reader r(std::string_view(*payload).substr(1));
  DeltaPosition p;
  std::uint64_t is_delta = 0, folder = 0;
  if (!r.Get(is_delta, 1) || !r.Int(p.tenant) || !r.Int(p.user) || !r.Get(folder, 1) || !r.Int(p.from_epoch) ||
      !r.Int(p.to_epoch) || !r.Int(p.cursor.epoch) || !r.Int(p.cursor.slot) || !r.Int(p.cursor.index) ||
      !r.Get(p.select_mask, 8) || !r.done() || is_delta > 1 || folder > 2) {
    return std::nullopt;
  }
  p.is_delta = is_delta == 1;
  p.folder = static_cast<Folder>(folder);
  return p;
}

std::string LinkTokens::Encode(const UsersPosition& p) const {
  std::string out(1, kUsersVersion);
  Put(out, static_cast<std::uint64_t>(p.tenant), 4);
  Put(out, static_cast<std::uint64_t>(p.offset), 4);
  Put(out, static_cast<std::uint64_t>(p.page_size), 4);
  Put(out, p.select_mask, 8);
  return Seal(std::move(out));
}

std::optional<UsersPosition> LinkTokens::DecodeUsers(std::string_view token) const {
  auto payload = Open(token);
  if (!payload || payload->empty() || (*payload)[0] != kUsersVersion) return std::nullopt;
  Reader r(std::string_view(*payload).substr(1));
  UsersPosition p;
  if (!r.Int(p.tenant) || !r.Int(p.offset) || !r.Int(p.page_size) || !r.Get(p.select_mask, 8) || !r.done()) {
    return std::nullopt;
  }
  return p;
}

}  // namespace crmsync::sim

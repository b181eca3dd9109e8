#include "crmsync/engine/message_key.hpp"

#include <openssl/evp.h>

#include <array>

#include <fmt/format.h>

#include "crmsync/engine/text.hpp"

namespace crmsync::engine {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string Sha256Hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

}  // namespace

std::string NormalizeMessageId(std::string_view raw) {
  while (!raw.empty() && IsSpace(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
  if (raw.size() >= 2 && raw.front() == '<' && raw.back() == '>') {
    raw = raw.substr(1, raw.size() - 2);
    while (!raw.empty() && IsSpace(raw.front())) raw.remove_prefix(1);
    while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
  }
  // One copy, lower-cased in place a word at a time: this runs for every
  // message read.
  std::string key;
  AssignAsciiLower(key, raw);
  bool printable = true;
  for (const char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    printable &= byte >= 0x21 && byte <= 0x7e;
  }
  if (key.empty()) return key;
  if (!printable || key.size() > kMaxKeyLength) return "sha256:" + Sha256Hex(key);
  return key;
}

}  // namespace crmsync::engine

#include "key_codec.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "varint.hpp"

namespace crmsync::state::internal {

std::string EncodeKey(std::initializer_list<std::string_view> components) {
  std::string key;
  std::size_t size = 0;
  for (auto c : components) size += c.size() + kMaxVarint64Bytes;
  key.reserve(size);
  for (auto c : components) {
    PutVarint64(key, c.size());
    key.append(c);
  }
  return key;
}

std::string TenantPrefix(std::string_view tenant) { return EncodeKey({tenant}); }

std::optional<std::vector<std::string>> DecodeKey(std::string_view key) {
  std::vector<std::string> components;
  while (!key.empty()) {
    auto length = GetVarint64(key);
    if (!length || *length > key.size()) return std::nullopt;
    components.emplace_back(key.substr(0, *length));
    key.remove_prefix(*length);
  }
  return components;
}

std::string DescribeKey(std::string_view key) {
  auto components = DecodeKey(key);
  if (!components) return fmt::format("{:?}", key);
  std::string joined;
  for (const auto& c : *components) {
    if (!joined.empty()) joined += '/';
    joined += fmt::format("{:?}", c);
  }
  return joined;
}

}  // namespace crmsync::state::internal

// LEB128 varints for the key and value codecs (private to state/). RocksDB
// has the same helpers but keeps them out of its public headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::state::internal {

inline constexpr std::size_t kMaxVarint64Bytes = 10;

inline void PutVarint64(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Consumes one varint from the front of `in`; nullopt (and `in` unspecified)
// when it is truncated or longer than 64 bits.
inline std::optional<std::uint64_t> GetVarint64(std::string_view& in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < kMaxVarint64Bytes && i < in.size(); ++i) {
    auto byte = static_cast<std::uint8_t>(in[i]);
    if (i == kMaxVarint64Bytes - 1 && byte > 1) return std::nullopt;
    v |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      in.remove_prefix(i + 1);
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace crmsync::state::internal

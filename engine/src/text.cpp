#include "crmsync/engine/text.hpp"

#include <cstdint>
#include <cstring>

namespace crmsync::engine {
namespace {

// Word-at-a-time byte tests: one in each byte, and each byte's high bit.
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++count;
  }
  return count;
}

std::string_view TruncateCodePoints(std::string_view utf8, std::size_t max_code_points) {
  // A code point takes at least one byte: most subjects and bodies are
  // within the limit in bytes already, and need no scan.
  if (utf8.size() <= max_code_points) return utf8;
  // Long mail bodies: whole 8-byte words are counted at once (continuation
  // bytes are 10xxxxxx) while the count stays within the limit; the word
  // where the cut falls is walked byte by byte below.
  std::size_t seen = 0;
  std::size_t i = 0;
  for (; i + sizeof(std::uint64_t) <= utf8.size(); i += sizeof(std::uint64_t)) {
    std::uint64_t word;
    std::memcpy(&word, utf8.data() + i, sizeof(word));
    const std::uint64_t continuation = word & ~(word << 1) & kHighBits;
    // One bit per continuation byte, summed by a multiply (no popcount
    // instruction without -march flags).
    const auto continuations = static_cast<std::size_t>(((continuation >> 7) * kOnes) >> 56);
    const std::size_t starts = sizeof(std::uint64_t) - continuations;
    if (seen + starts > max_code_points) break;
    seen += starts;
  }
  for (; i < utf8.size(); ++i) {
    if (IsContinuation(static_cast<unsigned char>(utf8[i]))) continue;
    if (seen == max_code_points) return utf8.substr(0, i);
    ++seen;
  }
  return utf8;
}

void AssignAsciiLower(std::string& out, std::string_view text) {
  out.assign(text);
  // 8 bytes at a time: each byte in 'A'..'Z' gets 0x20 added; bytes >= 0x80
  // (UTF-8) are left alone. Every participant and Message-ID passes here.
  std::size_t i = 0;
  for (; i + sizeof(std::uint64_t) <= out.size(); i += sizeof(std::uint64_t)) {
    std::uint64_t word;
    std::memcpy(&word, out.data() + i, sizeof(word));
    const std::uint64_t low7 = word & ~kHighBits;
    const std::uint64_t at_least_a = low7 + kOnes * (0x80 - 'A');          // high bit: byte >= 'A'
    const std::uint64_t beyond_z = low7 + kOnes * (0x80 - 'Z' - 1);        // high bit: byte > 'Z'
    const std::uint64_t upper = at_least_a & ~beyond_z & ~word & kHighBits;
    word |= upper >> 2;   // 0x80 >> 2 == 0x20
    std::memcpy(out.data() + i, &word, sizeof(word));
  }
  for (; i < out.size(); ++i) {
    char& c = out[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

std::string AsciiLower(std::string_view text) {
  std::string out;
  AssignAsciiLower(out, text);
  return out;
}

}  // namespace crmsync::engine

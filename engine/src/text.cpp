#include "crmsync/engine/text.hpp"

#include <cstdint>
#include <cstring>

namespace crmsync::engine {
namespace {

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
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
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
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

std::string AsciiLower(std::string_view text) {
  std::string out;
  AssignAsciiLower(out, text);
  return out;
}

}  // namespace crmsync::engine

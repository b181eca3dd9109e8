#include "crmsync/json/escape.hpp"

#include <simdjson.h>

#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace crmsync::json {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kHex[] = "0123456789abcdef";

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void AppendEscapedAscii(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default:
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
  }
}

// Whether any of the 8 bytes of `word` needs escaping: a control character,
// '"' or '\\' (the "has a byte less than n" / "has a zero byte" word tricks,
// exact for the question whether any byte matches; bytes >= 0x80 never do).
bool WordNeedsEscape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighBits; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
  return (below_space | has_zero_byte(word ^ (kOnes * '"')) | has_zero_byte(word ^ (kOnes * '\\'))) != 0;
}

// Index of the first byte at or after `from` that needs escaping, or
// text.size(): mail text is mostly plain, so 16 bytes (SSE2, part of every
// x86-64) or 8 bytes are tested at a time.
std::size_t FindEscape(std::string_view text, std::size_t from) {
  std::size_t i = from;
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1F);
  for (; i + sizeof(__m128i) <= text.size(); i += sizeof(__m128i)) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // Unsigned byte <= 0x1F: max(byte, 0x1F) == 0x1F.
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, last_control), last_control);
    const __m128i hits = _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i + sizeof(std::uint64_t) <= text.size(); i += sizeof(std::uint64_t)) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));
    if (WordNeedsEscape(word)) break;
  }
  for (; i < text.size(); ++i) {
    if (NeedsEscape(static_cast<unsigned char>(text[i]))) return i;
  }
  return i;
}

// Valid UTF-8: copy runs of bytes that need no escaping in one append.
void AppendValid(std::string& out, std::string_view text) {
  std::size_t run_start = 0;
  for (std::size_t i = FindEscape(text, 0); i < text.size(); i = FindEscape(text, run_start)) {
    out.append(text.data() + run_start, i - run_start);
    AppendEscapedAscii(out, static_cast<unsigned char>(text[i]));
    run_start = i + 1;
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

// Length and allowed second-byte range of a sequence starting with `lead`;
// length 0 when `lead` cannot start a sequence.
struct LeadInfo {
  int length;
  unsigned char low;
  unsigned char high;
};

LeadInfo Classify(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};  // up to U+10FFFF
  return {0, 0, 0};
}

void AppendRepaired(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (NeedsEscape(c)) {
        AppendEscapedAscii(out, c);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const LeadInfo info = Classify(c);
    std::size_t end = i + 1;
    bool valid = info.length > 0;
    if (valid) {
      for (int k = 1; k < info.length; ++k, ++end) {
        if (end >= text.size()) {
          valid = false;
          break;
        }
        const auto next = static_cast<unsigned char>(text[end]);
        const unsigned char low = k == 1 ? info.low : 0x80;
        const unsigned char high = k == 1 ? info.high : 0xBF;
        if (next < low || next > high) {
          valid = false;
          break;
        }
      }
    }
    if (valid) {
      out.append(text.data() + i, end - i);
    } else {
      out.append(kReplacement);  // one U+FFFD per maximal invalid subpart
    }
    i = end;
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  if (simdjson::validate_utf8(text.data(), text.size())) {
    AppendValid(out, text);
  } else {
    AppendRepaired(out, text);
  }
  out.push_back('"');
}

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendJsonString(out, text);
  return out;
}

}  // namespace crmsync::json

// Escaping of a string for a JSON string literal (RFC 8259 section 7). fmt
// builds the JSON; its "{:?}" escapes C++-style, which JSON does not accept.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/core.h>   // kept: includers rely on it

namespace crmsync::sim {

// Index of the first byte at or after `i` that JSON must escape (below
// 0x20, '"' or '\\'), or `size`, byte by byte.
inline std::size_t NextJsonEscapeBytes(const char* data, std::size_t i, std::size_t size) {
  for (; i < size; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return size;
}

// The same, skipping eight plain bytes at a time with a word test (exact as
// a yes/no: Mycroft's zero-byte test), for targets without SSE2.
inline std::size_t NextJsonEscapeWords(const char* data, std::size_t i, std::size_t size) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    const std::uint64_t quote = word ^ (kOnes * '"'), backslash = word ^ (kOnes * '\\');
    if (((((word - kOnes * 0x20) & ~word) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) &
         kHighs) != 0) {
      break;
    }
  }
  return NextJsonEscapeBytes(data, i, size);
}

#if defined(__SSE2__)
// One bit per byte of the 16 at `p` that JSON must escape.
inline unsigned JsonEscapeMask16(const char* p) {
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // min(v, 0x1F) == v exactly for the (unsigned) bytes below 0x20.
  const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                    _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));
  return static_cast<unsigned>(_mm_movemask_epi8(hits));
}

// The same, sixteen bytes at a time (message pages are mostly long runs that
// need no escape).
inline std::size_t NextJsonEscapeSse2(const char* data, std::size_t i, std::size_t size) {
  for (; i + 16 <= size; i += 16) {
    const unsigned mask = JsonEscapeMask16(data + i);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  if (i < size && size >= 16) {
    // The tail in one block that ends with the text, its bytes before `i` masked out.
    const std::size_t start = size - 16;
    const unsigned mask = JsonEscapeMask16(data + start) & (0xFFFFu << (i - start));
    return mask != 0 ? start + static_cast<std::size_t>(__builtin_ctz(mask)) : size;
  }
  return NextJsonEscapeBytes(data, i, size);
}
#endif

// The simulator keeps its own escaper, apart from the engine's JSON code it checks.
inline std::size_t NextJsonEscape(const char* data, std::size_t i, std::size_t size) {
#if defined(__SSE2__)
  return NextJsonEscapeSse2(data, i, size);
#else
  return NextJsonEscapeWords(data, i, size);
#endif
}

// Appends `text` escaped to `out`: each run that needs no escape is copied
// in one piece.
inline void AppendJsonEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* const data = text.data();
  const std::size_t size = text.size();
  std::size_t run = 0;
  for (std::size_t i = NextJsonEscape(data, 0, size); i < size; i = NextJsonEscape(data, run, size)) {
    out.append(data + run, i - run);
    run = i + 1;
    const auto c = static_cast<unsigned char>(data[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escape, sizeof escape);
      }
    }
  }
  out.append(data + run, size - run);
}

inline std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  AppendJsonEscaped(out, text);
  return out;
}

}  // namespace crmsync::sim

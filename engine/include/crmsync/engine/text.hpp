// Unicode-aware text helpers for Salesforce field limits, which count
// characters, not bytes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace crmsync::engine {

// Number of Unicode code points in valid UTF-8 (each invalid byte counts as one).
std::size_t CountCodePoints(std::string_view utf8);

// The longest prefix of `utf8` holding at most `max_code_points` code points,
// never cutting a multi-byte sequence.
std::string_view TruncateCodePoints(std::string_view utf8, std::size_t max_code_points);

// ASCII lower-case (email addresses: the domain is case-insensitive and
// Salesforce compares the whole address case-insensitively).
std::string AsciiLower(std::string_view text);
// The same into `out`, reusing its capacity (the hot path's per-thread buffers).
void AssignAsciiLower(std::string& out, std::string_view text);

// Hash of unordered string containers that are looked up by string_view
// without building a std::string (with std::equal_to<>): addresses are
// looked up per message on the hot path.
struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace crmsync::engine

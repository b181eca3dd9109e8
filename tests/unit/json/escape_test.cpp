#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "crmsync/json/escape.hpp"

using crmsync::json::AppendJsonString;
using crmsync::json::JsonQuote;

namespace {

// Byte by byte, as RFC 8259 asks, for valid UTF-8: the reference the
// escaper's word-at-a-time scan must match.
std::string ReferenceQuote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

TEST_CASE("every byte that needs escaping is escaped at every position of a block", "[json][escape]") {
  // 0x00-0x1f, '"', '\\', and their neighbours that must stay as they are.
  std::string specials;
  for (int c = 0; c < 0x20; ++c) specials.push_back(static_cast<char>(c));
  specials += "\"\\ !#[]\x7f";
  for (const char special : specials) {
    for (std::size_t length = 1; length <= 40; ++length) {   // past two 16-byte blocks and an 8-byte word
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = special;
        INFO("byte " << static_cast<int>(static_cast<unsigned char>(special)) << " at " << at << " of " << length);
        CHECK(JsonQuote(text) == ReferenceQuote(text));
      }
    }
  }
}

TEST_CASE("random valid UTF-8 text escapes as byte-by-byte escaping does", "[json][escape]") {
  std::mt19937 random(7);
  // Plain letters, every escaped byte, and multi-byte sequences whose
  // continuation bytes (0x80-0xBF) and leads must never be taken for '"'
  // (0x22), '\\' (0x5C) or control characters.
  const std::vector<std::string> pieces = {"a", "Z", " ", "\"", "\\", "\n", "\t", std::string(1, '\0'), "\x1f",
                                           "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc2\xa2", "\xc5\x9c"};
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 60);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (int n = length(random); n > 0; --n) text += pieces[pick(random)];
    std::string appended = "prefix";
    AppendJsonString(appended, text);
    REQUIRE(appended == "prefix" + ReferenceQuote(text));
  }
}

TEST_CASE("invalid UTF-8 is still repaired with U+FFFD, escapes kept", "[json][escape]") {
  CHECK(JsonQuote("a\xff\"b") == "\"a\xEF\xBF\xBD\\\"b\"");
  CHECK(JsonQuote("long plain text then \xc3 cut") == "\"long plain text then \xEF\xBF\xBD cut\"");
}

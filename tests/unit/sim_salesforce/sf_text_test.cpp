// sf::CodePointCount (a Description's length as Salesforce counts it) against
// a byte-by-byte count, at every alignment of its 16-byte blocks.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "sf_text.hpp"

namespace {

std::size_t ByteByByteCount(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace

TEST_CASE("CodePointCount counts every byte but continuation bytes, valid UTF-8 or not", "[sim][salesforce]") {
  const std::string pieces[] = {"a", "é", "日", "🎉", "\x80", "\xBF", "\xC0", "\xFF", std::string(1, '\0'), "\x7F"};
  std::mt19937_64 random(3);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const std::size_t parts = random() % 60;
    for (std::size_t k = 0; k < parts; ++k) text += pieces[random() % std::size(pieces)];
    REQUIRE(crmsync::sim::sf::CodePointCount(text) == ByteByByteCount(text));
  }
  // Every byte value at every position of a block and its tail.
  for (std::size_t length : {1u, 15u, 16u, 17u, 40u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (unsigned b = 0; b < 256; ++b) {
        std::string text(length, 'x');
        text[at] = static_cast<char>(b);
        REQUIRE(crmsync::sim::sf::CodePointCount(text) == length - ((b & 0xC0) == 0x80 ? 1 : 0));
      }
    }
  }
  CHECK(crmsync::sim::sf::CodePointCount("") == 0);
  CHECK(crmsync::sim::sf::CodePointCount("Zoë 日本 🎉") == 8);
}

#include <catch2/catch.hpp>

#include "crmsync/engine/message_key.hpp"

using crmsync::engine::NormalizeMessageId;

TEST_CASE("message ids normalize to one key per email", "[key]") {
  CHECK(NormalizeMessageId("<AbC.123@Mail.Example.COM>") == "abc.123@mail.example.com");
  CHECK(NormalizeMessageId("  <abc.123@mail.example.com>\r\n") == "abc.123@mail.example.com");
  CHECK(NormalizeMessageId("abc.123@mail.example.com") == "abc.123@mail.example.com");
  CHECK(NormalizeMessageId("< abc@x >") == "abc@x");
  CHECK(NormalizeMessageId("") == "");
  CHECK(NormalizeMessageId("   <>  ") == "");
}

TEST_CASE("keys that cannot fit the external-id field are hashed deterministically", "[key]") {
  const std::string long_id = "<" + std::string(300, 'a') + "@example.com>";
  const std::string key = NormalizeMessageId(long_id);
  REQUIRE(key.rfind("sha256:", 0) == 0);
  CHECK(key.size() == 7 + 64);
  CHECK(key == NormalizeMessageId(long_id));
  // Case-insensitive like the short form.
  std::string upper = long_id;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(NormalizeMessageId(upper) == key);
  // Non-ASCII ids are hashed, never sent raw.
  const std::string unicode = NormalizeMessageId("<caf\xc3\xa9@example.com>");
  CHECK(unicode.rfind("sha256:", 0) == 0);
  CHECK(unicode != NormalizeMessageId("<cafe@example.com>"));
}

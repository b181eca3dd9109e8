// UserIndex (engine/src/user_index.hpp): users by mail system id, without a copy of the ids.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "user_index.hpp"

using crmsync::engine::UserIndex;

TEST_CASE("the user index finds every user by id, and nobody else", "[user_index]") {
  std::vector<std::string> ids;
  for (int i = 0; i < 3000; ++i) ids.push_back("id-" + std::to_string(i));
  const UserIndex index(ids.size(), [&ids](std::size_t i) { return std::string_view(ids[i]); });
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto found = index.Find(ids[i]);
    REQUIRE(found.has_value());
    CHECK(*found == i);
  }
  CHECK_FALSE(index.Find("id-3000").has_value());
  CHECK_FALSE(index.Find("").has_value());
  CHECK_FALSE(UserIndex().Find("id-1").has_value());
}

TEST_CASE("of two users with one id the later is found, as the map it replaces did", "[user_index]") {
  const std::vector<std::string> ids{"a", "b", "a"};
  const UserIndex index(ids.size(), [&ids](std::size_t i) { return std::string_view(ids[i]); });
  CHECK(index.Find("a") == 2u);
  CHECK(index.Find("b") == 1u);
}

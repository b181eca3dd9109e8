// IdSet: record ids matched by all 18 characters, or a 15-character prefix.
#include <catch2/catch.hpp>

#include "id_set.hpp"
#include "salesforce_ids.hpp"

namespace crmsync::sim::sf {
namespace {

TEST_CASE("IdSet matches an 18-character id exactly and a 15-character one by prefix, case-sensitively",
          "[sim][salesforce]") {
  IdSet ids;
  ids.Insert("003000000000001AAA");
  CHECK(ids.Contains("003000000000001AAA"));
  CHECK(ids.Contains("003000000000001"));
  CHECK_FALSE(ids.Contains("003000000000001AAB"));   // another suffix
  CHECK_FALSE(ids.Contains("003000000000001aaa"));
  CHECK_FALSE(ids.Contains("003000000000002"));
  CHECK_FALSE(ids.Contains("00300000000000"));
  CHECK_FALSE(ids.Contains(""));
}

TEST_CASE("IdSet keeps ids of other lengths as they are", "[sim][salesforce]") {
  IdSet ids;
  ids.Insert("005SHORT");
  ids.Insert("005000000000009XYZW");   // 19 characters: no 18-character match, its prefix still counts
  CHECK(ids.Contains("005SHORT"));
  CHECK(ids.Contains("005000000000009XYZW"));
  CHECK(ids.Contains("005000000000009"));
  CHECK_FALSE(ids.Contains("005000000000009XYZ"));
  CHECK_FALSE(ids.Contains("005SHOR"));
}

TEST_CASE("IdSet holds many ids (its table grows)", "[sim][salesforce]") {
  IdSet ids;
  constexpr std::uint64_t kCount = 5000;
  for (std::uint64_t i = 1; i <= kCount; i += 2) ids.Insert(MakeSalesforceId("003", 7, i));
  for (std::uint64_t i = 1; i <= kCount; ++i) {
    const std::string id = MakeSalesforceId("003", 7, i);
    CHECK(ids.Contains(id) == (i % 2 == 1));
    CHECK(ids.Contains(std::string_view(id).substr(0, 15)) == (i % 2 == 1));
  }
}

}  // namespace
}  // namespace crmsync::sim::sf

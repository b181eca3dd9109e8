// ChunkedVector (chunked_vector.hpp): append-only storage whose elements never move.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crmsync/engine/chunked_vector.hpp"

using crmsync::engine::ChunkedVector;

TEST_CASE("chunked vector: elements keep their address and value across chunks", "[chunked_vector]") {
  ChunkedVector<std::string, 4> strings;
  CHECK(strings.size() == 0);
  CHECK(strings.capacity_bytes() == 0);
  std::vector<const std::string*> addresses;
  for (int i = 0; i < 10; ++i) {
    std::string& s = strings.emplace_back();
    CHECK(s.empty());   // value-initialized
    s = "value-" + std::to_string(i);
    addresses.push_back(&s);
  }
  CHECK(strings.size() == 10);
  for (int i = 0; i < 10; ++i) {
    CHECK(strings[i] == "value-" + std::to_string(i));
    CHECK(&strings[i] == addresses[i]);   // growing moved nothing
  }
  const auto& view = strings;
  CHECK(view[9] == "value-9");
  // Three chunks of four: no more than one chunk of spare room.
  CHECK(strings.capacity_bytes() == 3 * 4 * sizeof(std::string));
}

// How the calendar passes split records into requests (engine/src/blocking_upsert.hpp):
// each request has one writer and at most the given number of records.
#include <catch2/catch.hpp>

#include <vector>

#include "blocking_upsert.hpp"

using namespace crmsync::engine;

TEST_CASE("requests by writer: one writer per request, at most max records, every record once", "[calendar]") {
  // Records 0..6 by users 2, 0, 2, 2, 0, 1, 2.
  const std::vector<std::size_t> writers{2, 0, 2, 2, 0, 1, 2};
  const auto requests = RequestsByWriter(writers, 2);
  const std::vector<std::vector<std::size_t>> expected{{1, 4}, {5}, {0, 2}, {3, 6}};
  CHECK(requests == expected);
}

TEST_CASE("requests by writer: the service account's records are plain consecutive chunks", "[calendar]") {
  const std::vector<std::size_t> writers(5, kServiceAccountWriter);
  const auto requests = RequestsByWriter(writers, 2);
  const std::vector<std::vector<std::size_t>> expected{{0, 1}, {2, 3}, {4}};
  CHECK(requests == expected);
  CHECK(RequestsByWriter({}, 200).empty());
}

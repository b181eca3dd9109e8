// TaskKeyIndex: an org's Task keys -> their entries.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "task_key_index.hpp"

namespace crmsync::sim::sf {
namespace {

TEST_CASE("TaskKeyIndex finds each key's one entry, added empty, at the same address as it grows",
          "[sim][salesforce]") {
  TaskKeyIndex index;
  TaskKey& first = index.FindOrAdd("<a@example.com>");
  CHECK(first.first == kNoTask);
  CHECK(first.being_created == 0);
  first.first = 7;
  std::vector<TaskKey*> entries;
  for (int i = 0; i < 20000; ++i) entries.push_back(&index.FindOrAdd("<" + std::to_string(i) + "@example.com>"));
  CHECK(index.size() == 20001);
  CHECK(&index.FindOrAdd("<a@example.com>") == &first);
  CHECK(first.first == 7);
  for (int i = 0; i < 20000; ++i) {
    REQUIRE(&index.FindOrAdd("<" + std::to_string(i) + "@example.com>") == entries[static_cast<std::size_t>(i)]);
  }
  CHECK(index.size() == 20001);
  CHECK(&index.FindOrAdd("<A@example.com>") != &first);   // the caller folds case
}

}  // namespace
}  // namespace crmsync::sim::sf

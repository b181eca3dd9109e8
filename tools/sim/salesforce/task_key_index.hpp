// An org's Task keys (lower-cased Crmsync_Key__c) -> their TaskKey entries.
// A benchmark's org holds ~115k keys and every upserted record probes them:
// std::unordered_map's bucket, node chain and key string were three or four
// cache misses per probe. Here a probe reads a slot (hash and entry index,
// four to a cache line) and, only when the hashes agree, the entry's key.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::sim::sf {

inline constexpr std::uint32_t kNoTask = UINT32_MAX;

struct TaskKey {
  std::uint32_t first = kNoTask;      // the key's first Task; kNoTask until a create commits
  std::uint32_t being_created = 0;    // in-flight upserts that decided to create it
};

class TaskKeyIndex {
 public:
  // The entry of `norm_key`, added empty when absent. Entries are never
  // removed and never move: the reference stays valid for the index's life.
  TaskKey& FindOrAdd(std::string_view norm_key);
  std::size_t size() const { return entries_.size(); }

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = kEmpty;
  };
  struct Entry {
    std::string key;
    TaskKey value;
  };
  void Grow();
  std::vector<Slot> slots_;    // size 0 or a power of two, at most half full
  std::deque<Entry> entries_;  // in insertion order
};

}  // namespace crmsync::sim::sf

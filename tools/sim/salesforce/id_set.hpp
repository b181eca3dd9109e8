// Record ids of one kind, matched as Salesforce does: an 18-character id
// exactly, a 15-character one against the case-sensitive prefix.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace crmsync::sim::sf {

// Ids of exactly N characters in an open-addressing table that keeps their
// bytes in the slots: a lookup reads one slot, where a node set read a
// bucket, a node and the string's heap bytes (three cache misses for each
// reference of every upserted record, ~5 % of the simulator at scale).
template <std::size_t N>
class FixedLengthIds {
 public:
  void Insert(std::string_view id);     // id.size() == N
  bool Contains(std::string_view id) const;

 private:
  struct Slot {
    std::array<char, N> id{};
    bool used = false;
  };
  std::size_t SlotOf(std::string_view id) const;   // its slot, or the empty one it would take
  std::vector<Slot> slots_;   // size 0 or a power of two, at most half full
  std::size_t size_ = 0;
};

class IdSet {
 public:
  void Insert(std::string_view id);
  bool Contains(std::string_view id) const;

 private:
  static constexpr std::size_t kShortIdLength = 15;
  static constexpr std::size_t kIdLength = 18;
  FixedLengthIds<kIdLength> full_;
  FixedLengthIds<kShortIdLength> prefix15_;      // the first 15 characters of every id that long
  std::unordered_set<std::string> other_full_;  // ids of any other length (none in a generated directory)
};

}  // namespace crmsync::sim::sf

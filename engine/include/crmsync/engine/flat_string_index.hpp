// An index from strings (addresses, user ids) to small integer handles that
// holds no copy of the strings: each slot is 32 bits of the string's hash
// and a 32-bit handle, and a hit is verified against the caller's own copy
// of the string (`matches(handle, text)`). 8 bytes per slot at a load of at
// most one half, instead of a node, a key string and a bucket per entry in
// a std::unordered_map<std::string, ...>: the directory of 10,000 users and
// their aliases costs about half a MB, not a few MB. Not thread-safe to
// build; const lookups are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace crmsync::engine {

struct StdStringViewHash {
  std::uint64_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class Hash = StdStringViewHash>
class FlatStringIndex {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;   // not a handle: an empty slot, or not found

  // Room for `count` strings without a rehash.
  void Reserve(std::size_t count) {
    if (count * 2 > slots_.size()) Rehash(count * 2);
  }

  // Indexes `text` under `handle` unless an equal string is already indexed
  // (the first one stays, as std::unordered_map::emplace). `matches(h, t)`
  // says whether handle `h` stands for string `t` (a handle may stand for
  // several strings: a user for each of its addresses). True when added.
  template <class Matches>
  bool Insert(std::string_view text, std::uint32_t handle, const Matches& matches) {
    if (handle == kNone) return false;
    if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.empty() ? 16 : slots_.size() * 2);
    const std::uint32_t tag = TagOf(Hash{}(text));
    for (std::size_t i = SlotOf(tag);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.handle == kNone) {
        slot = Slot{tag, handle};
        ++size_;
        return true;
      }
      if (slot.tag == tag && matches(slot.handle, text)) return false;
    }
  }

  // The handle `text` was indexed under, or kNone.
  template <class Matches>
  std::uint32_t Find(std::string_view text, const Matches& matches) const {
    if (size_ == 0) return kNone;
    const std::uint32_t tag = TagOf(Hash{}(text));
    for (std::size_t i = SlotOf(tag);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.handle == kNone) return kNone;
      if (slot.tag == tag && matches(slot.handle, text)) return slot.handle;
    }
  }

  std::size_t size() const { return size_; }
  // Bytes held (the slots), for the memory tests and reports.
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  // A slot keeps 32 bits of the hash, enough to skip nearly every
  // non-matching slot without touching its string; the string decides.
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t handle = kNone;
  };
  static_assert(sizeof(Slot) == 8);

  // Fibonacci hashing: the top 32 bits of the product, so that hashes
  // differing only in their low bits still spread. The slot is the tag's
  // top bits, so a rehash needs no string.
  static std::uint32_t TagOf(std::uint64_t hash) {
    return static_cast<std::uint32_t>((hash * 0x9E3779B97F4A7C15ull) >> 32);
  }
  std::size_t SlotOf(std::uint32_t tag) const { return static_cast<std::size_t>(tag >> shift_) & mask_; }

  void Rehash(std::size_t at_least) {
    std::size_t capacity = 16;
    while (capacity < at_least) capacity *= 2;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    const auto bits = static_cast<unsigned>(__builtin_ctzll(capacity));
    shift_ = bits >= 32 ? 0 : 32 - bits;
    for (const Slot& slot : old) {
      if (slot.handle == kNone) continue;
      std::size_t i = SlotOf(slot.tag);
      while (slots_[i].handle != kNone) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  unsigned shift_ = 32;
};

}  // namespace crmsync::engine

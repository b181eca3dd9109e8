// The CRM resolver's memory: one entry per address it has been asked about
// or has learnt, found through a flat open-addressing index of (hash tag,
// entry number) slots (flat_string_index.hpp) instead of a node-based
// std::unordered_map<std::string, ...>: a lookup hashes the address once,
// probes adjacent 8-byte slots and compares strings only where the tags
// agree, so a miss compares nothing and a hit compares once, against the
// address the entry holds. Colliding addresses are told apart by that
// compare. Every page asks it for every participant (three times per
// address: Uncached, Resolve, FirstMatches), which made the map's lookups
// the hottest part of the resolver. Entries are never removed (an expired
// answer is replaced in place). Not thread-safe: the resolver's mutex
// guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/engine/chunked_vector.hpp"
#include "crmsync/engine/flat_string_index.hpp"

namespace crmsync::engine {

// What Salesforce knows of one address: Contact and Lead ids ("" = none).
struct CrmMatch {
  std::string contact_id;
  std::string lead_id;
};

// What a freshness check reads comes first (see Slot below).
struct CrmCacheEntry {
  std::int64_t expires_unix_ms = 0;
  // False while the address was only asked about: no answer (not even an
  // expired one) is known; `match` is empty and never fresh.
  bool answered = false;
  bool unsaved = false;   // primed: its directory rows are written once it is asked for
  bool asked = false;     // passed to Resolve at least once (distinct_addresses)
  CrmMatch match;
};

template <class Hash = StdStringViewHash>
class CrmResolverCache {
 public:
  // The entry of `address`, or nullptr. Valid until the next FindOrAdd.
  CrmCacheEntry* Find(std::string_view address) {
    const std::uint32_t at = index_.Find(address, Matches());
    return at == FlatStringIndex<Hash>::kNone ? nullptr : &entries_[at].entry;
  }
  const CrmCacheEntry* Find(std::string_view address) const {
    const std::uint32_t at = index_.Find(address, Matches());
    return at == FlatStringIndex<Hash>::kNone ? nullptr : &entries_[at].entry;
  }

  // The entry of `address` when an answer (even an expired one) is known,
  // else nullptr: what every reader of matches asks. Valid until the next
  // FindOrAdd.
  const CrmCacheEntry* FindAnswered(std::string_view address) const {
    const CrmCacheEntry* entry = Find(address);
    return entry != nullptr && entry->answered ? entry : nullptr;
  }

  // The entry of `address`, added (unanswered, unasked) when absent. Valid
  // until the next FindOrAdd.
  CrmCacheEntry& FindOrAdd(std::string_view address) {
    if (CrmCacheEntry* found = Find(address)) return *found;
    const auto at = static_cast<std::uint32_t>(entries_.size());
    Slot& slot = entries_.emplace_back();
    slot.address_size = static_cast<std::uint32_t>(address.size());
    if (address.size() <= kInlineAddressBytes) {
      address.copy(slot.inline_address, address.size());
    } else {
      slot.long_address.assign(address);
    }
    index_.Insert(address, at, Matches());
    return slot.entry;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  // Most addresses fit inline. A lookup then reads one cache line of its
  // entry: the address it compares, the expiry and the flags (the match's
  // ids, read once per record, follow). A heap string of its own would be
  // one more cache miss per participant: the first lookup of each address
  // of a page misses in a cache of tens of thousands of addresses.
  static constexpr std::size_t kInlineAddressBytes = 44;
  struct alignas(64) Slot {
    char inline_address[kInlineAddressBytes];
    std::uint32_t address_size = 0;
    CrmCacheEntry entry;
    std::string long_address;   // only for an address longer than kInlineAddressBytes

    std::string_view address() const {
      return address_size <= kInlineAddressBytes ? std::string_view(inline_address, address_size)
                                                 : std::string_view(long_address);
    }
  };

  auto Matches() const {
    return [this](std::uint32_t at, std::string_view text) { return entries_[at].address() == text; };
  }

  // Chunked: the entries never regrow as a whole (chunked_vector.hpp).
  ChunkedVector<Slot> entries_;
  FlatStringIndex<Hash> index_;
};

}  // namespace crmsync::engine

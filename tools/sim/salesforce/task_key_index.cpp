#include "task_key_index.hpp"

#include <functional>

namespace crmsync::sim::sf {

TaskKey& TaskKeyIndex::FindOrAdd(std::string_view norm_key) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  const std::uint64_t hash = std::hash<std::string_view>{}(norm_key);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.entry == kEmpty) {
      slot = {hash, static_cast<std::uint32_t>(entries_.size())};
      return entries_.emplace_back(Entry{std::string(norm_key), TaskKey{}}).value;
    }
    if (slot.hash == hash && entries_[slot.entry].key == norm_key) return entries_[slot.entry].value;
  }
}

void TaskKeyIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.entry == kEmpty) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].entry != kEmpty) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace crmsync::sim::sf

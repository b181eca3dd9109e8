#include "id_set.hpp"

#include <functional>

namespace crmsync::sim::sf {

template <std::size_t N>
std::size_t FixedLengthIds<N>::SlotOf(std::string_view id) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = std::hash<std::string_view>{}(id) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.used || std::string_view(slot.id.data(), N) == id) return i;
  }
}

template <std::size_t N>
void FixedLengthIds<N>::Insert(std::string_view id) {
  if ((size_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    for (const Slot& slot : old) {
      if (slot.used) slots_[SlotOf(std::string_view(slot.id.data(), N))] = slot;
    }
  }
  Slot& slot = slots_[SlotOf(id)];
  if (slot.used) return;
  id.copy(slot.id.data(), N);
  slot.used = true;
  ++size_;
}

template <std::size_t N>
bool FixedLengthIds<N>::Contains(std::string_view id) const {
  return id.size() == N && !slots_.empty() && slots_[SlotOf(id)].used;
}

template class FixedLengthIds<15>;
template class FixedLengthIds<18>;

void IdSet::Insert(std::string_view id) {
  if (id.size() == kIdLength) {
    full_.Insert(id);
  } else {
    other_full_.emplace(id);
  }
  if (id.size() >= kShortIdLength) prefix15_.Insert(id.substr(0, kShortIdLength));
}

bool IdSet::Contains(std::string_view id) const {
  if (id.size() == kShortIdLength) return prefix15_.Contains(id);
  if (id.size() == kIdLength) return full_.Contains(id);
  return !other_full_.empty() && other_full_.count(std::string(id)) != 0;
}

}  // namespace crmsync::sim::sf

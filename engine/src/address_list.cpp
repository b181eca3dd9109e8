#include "crmsync/engine/address_list.hpp"

#include <algorithm>

#include "crmsync/engine/text.hpp"

namespace crmsync::engine {

void AddressList::Clear() {
  // Moving a std::string hands over its buffer: nothing is freed.
  while (!items_.empty()) {
    spare_.push_back(std::move(items_.back()));
    items_.pop_back();
  }
}

bool AddressList::Add(std::string_view address) {
  if (address.empty()) return false;
  std::string lower;
  if (!spare_.empty()) {
    lower = std::move(spare_.back());
    spare_.pop_back();
  }
  AssignAsciiLower(lower, address);
  if (std::find(items_.begin(), items_.end(), lower) != items_.end()) {
    spare_.push_back(std::move(lower));
    return false;
  }
  items_.push_back(std::move(lower));
  return true;
}

}  // namespace crmsync::engine

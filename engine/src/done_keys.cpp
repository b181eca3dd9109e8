#include "crmsync/engine/done_keys.hpp"

namespace crmsync::engine {

void DoneKeys::AddWritten(std::string key, std::uint64_t visible_with) {
  auto [it, inserted] = keys_.insert(std::move(key));
  if (!inserted) return;   // already done (a quarantined key stays for the run)
  // Stamps arrive in order; one that did not would be kept with a later
  // stamp, which only forgets it later (the safe direction).
  if (written_.empty() || written_.back().visible_with < visible_with) {
    written_.push_back(Stamped{visible_with, {}});
  }
  written_.back().keys.push_back(&*it);
}

void DoneKeys::AddQuarantined(std::string key) { keys_.insert(std::move(key)); }

std::size_t DoneKeys::ForgetUpTo(std::uint64_t safe) {
  std::size_t forgotten = 0;
  while (!written_.empty() && written_.front().visible_with <= safe) {
    for (const std::string* key : written_.front().keys) {
      // Erased through an iterator: erase(*key) would pass a reference into the node it frees.
      auto it = keys_.find(*key);
      if (it == keys_.end()) continue;
      keys_.erase(it);
      ++forgotten;
    }
    written_.pop_front();
  }
  return forgotten;
}

}  // namespace crmsync::engine

// The keys a run has finished with (written, or refused for good) that a
// page on its way to the coordinator may still bring again: a copy whose
// ledger lookup ran before the key's ledger row was committed. A written
// key is stamped with the commit generation that makes its ledger row
// visible (commit_generations.hpp) and forgotten once every outstanding
// lookup saw that generation, so the set holds only the keys of the last
// few commits, not every key of the run. Quarantined keys have no ledger
// row for a lookup to find: they stay for the whole run (they are rare).
// Single-threaded (the coordinator's, through the batcher).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace crmsync::engine {

class DoneKeys {
 public:
  // Written: its ledger row becomes visible with commit `visible_with`.
  void AddWritten(std::string key, std::uint64_t visible_with);
  // Refused for good (quarantined): remembered until the end of the run.
  void AddQuarantined(std::string key);

  bool Contains(const std::string& key) const { return keys_.count(key) > 0; }

  // Forgets the written keys stamped at or below `safe`
  // (CommitGenerations::Safe()); returns how many.
  std::size_t ForgetUpTo(std::uint64_t safe);

  std::size_t size() const { return keys_.size(); }

 private:
  struct Stamped {
    std::uint64_t visible_with = 0;
    std::vector<const std::string*> keys;   // into keys_ (node-based: addresses are stable)
  };

  std::unordered_set<std::string> keys_;   // written and quarantined
  std::deque<Stamped> written_;            // written keys by stamp, oldest first
};

}  // namespace crmsync::engine

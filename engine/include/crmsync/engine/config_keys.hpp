// Which configuration keys exist, and every problem of a configuration at
// once: `crmsync config check`, the loader's "did you mean" suggestions, and
// the tests that keep `crmsync config example` complete.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::engine {

// "tenants[0].capture.users[1].address" -> "tenants.capture.users.address".
std::string NormalizeKeyPath(std::string_view path);

// Levenshtein distance (bytes), for suggestions.
std::size_t EditDistance(std::string_view a, std::string_view b);

// "FILE:LINE: unknown key 'PREFIXkey'", plus " (did you mean 'PREFIXnear'?)"
// when one of `known` (keys of the same table) is a likely typo of `key`.
std::string UnknownKeyMessage(std::string_view file, std::size_t line, std::string_view prefix, std::string_view key,
                              const std::vector<std::string>& known);

// Collects the (normalized) key paths the loader looks up, present or not.
class KeyObserver {
 public:
  void Seen(const std::string& path) { keys_.insert(NormalizeKeyPath(path)); }
  const std::set<std::string>& keys() const { return keys_; }

 private:
  std::set<std::string> keys_;
};

// The observer of this thread's configuration parses; nullptr when none.
KeyObserver* CurrentKeyObserver();

// While alive, this thread's ParseConfig calls report to `observer`.
class ScopedKeyObserver {
 public:
  explicit ScopedKeyObserver(KeyObserver& observer);
  ~ScopedKeyObserver();
  ScopedKeyObserver(const ScopedKeyObserver&) = delete;
  ScopedKeyObserver& operator=(const ScopedKeyObserver&) = delete;

 private:
  KeyObserver* previous_;
};

// Every key the loader knows: the keys it looks up while parsing the
// commented example (config_example.hpp), which sets every table.
const std::set<std::string>& KnownConfigKeys();

// Every problem of the configuration `text` read from `path`: each unknown
// key anywhere in the file (file:line, the key, a suggestion), then the
// loader's first other error. Empty when the configuration loads.
std::vector<std::string> CheckConfigText(std::string_view text, const std::string& path);

}  // namespace crmsync::engine

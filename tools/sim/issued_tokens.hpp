// Every access token the simulated identity services handed out, in issue
// order, so a test can search the engine's logs, reports and state for any
// of them (`GET /_sim/issued-tokens`). Bounded: tests issue a few hundred.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace crmsync::sim {

class IssuedTokens {
 public:
  static constexpr std::size_t kMaxKept = 100000;

  void Add(const std::string& token) {
    std::lock_guard lock(mutex_);
    if (tokens_.size() < kMaxKept) tokens_.push_back(token);
  }
  std::vector<std::string> All() const {
    std::lock_guard lock(mutex_);
    return tokens_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> tokens_;
};

}  // namespace crmsync::sim

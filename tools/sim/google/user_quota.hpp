// Per-user Gmail quota (API-FACTS.md §3.6): units charged per call, limited
// per (tenant, user) over a sliding one-second window of the injected clock.
// Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

#include "identity_service.hpp"

namespace crmsync::sim::google {

class UserQuota {
 public:
  UserQuota(int units_per_second, SteadyClock clock);
  // Charges `units`; false, and nothing charged, when the window would exceed the limit.
  bool Charge(int tenant, int user, int units);

 private:
  struct Use {
    std::chrono::steady_clock::time_point at;
    int units;
  };
  int limit_;
  SteadyClock clock_;
  std::mutex mutex_;
  std::map<std::pair<int, int>, std::deque<Use>> windows_;
};

}  // namespace crmsync::sim::google

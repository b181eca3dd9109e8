#include "user_quota.hpp"

namespace crmsync::sim::google {

UserQuota::UserQuota(int units_per_second, SteadyClock clock) : limit_(units_per_second), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

bool UserQuota::Charge(int tenant, int user, int units) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  std::deque<Use>& window = windows_[{tenant, user}];
  while (!window.empty() && now - window.front().at >= std::chrono::seconds(1)) window.pop_front();
  int used = 0;
  for (const Use& u : window) used += u.units;
  if (used + units > limit_) return false;
  window.push_back(Use{now, units});
  return true;
}

}  // namespace crmsync::sim::google

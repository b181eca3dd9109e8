#include "crmsync/gmail/quota_pacer.hpp"

#include <algorithm>
#include <cmath>

namespace crmsync::gmail {

QuotaPacer::QuotaPacer(int units_per_second, Clock clock)
    : rate_(std::max(1, units_per_second)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

std::chrono::milliseconds QuotaPacer::Reserve(const std::string& user, int units) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(user);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.units = rate_;  // a new user starts with a full second of burst
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.units = std::min(rate_, bucket.units + std::max(0.0, elapsed) * rate_);
  }
  bucket.updated = now;
  bucket.units -= units;
  if (bucket.units >= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(-bucket.units / rate_ * 1000.0)));
}

}  // namespace crmsync::gmail

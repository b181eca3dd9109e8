#include "backoff.hpp"

#include <algorithm>
#include <random>

namespace crmsync::salesforce::detail {

std::chrono::milliseconds BackoffDelay(int retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int shift = std::clamp(retry - 1, 0, 20);
  const long long ceiling = std::min<long long>(kBackoffCap.count(), kBackoffBase.count() << shift);
  std::uniform_int_distribution<long long> pick(0, ceiling);
  return std::chrono::milliseconds(pick(rng));
}

}  // namespace crmsync::salesforce::detail

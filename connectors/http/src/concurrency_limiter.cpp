#include "crmsync/http/concurrency_limiter.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace crmsync::http {

KeyedAimdLimiter::KeyedAimdLimiter(AimdOptions options) : options_(options) {}

void KeyedAimdLimiter::Acquire(const std::string& key, std::function<void()> start) {
  {
    std::lock_guard lock(mutex_);
    auto [it, fresh] = slots_.try_emplace(key);
    Slot& slot = it->second;
    if (fresh) slot.limit = options_.initial;
    if (!slot.waiting.empty() || !Fits(slot)) {
      slot.waiting.push_back(std::move(start));
      return;
    }
    ++slot.in_flight;
  }
  start();
}

void KeyedAimdLimiter::Release(const std::string& key, bool throttled) {
  std::vector<std::function<void()>> runnable;
  {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end()) return;
    Slot& slot = it->second;
    if (slot.in_flight > 0) --slot.in_flight;
    if (throttled) {
      slot.limit = std::max(options_.min, slot.limit / 2);
    } else {
      slot.limit = std::min(options_.max,
                            slot.limit + 1.0 / (std::max(1.0, options_.climb_after) * std::max(1.0, slot.limit)));
    }
    while (!slot.waiting.empty() && Fits(slot)) {
      runnable.push_back(std::move(slot.waiting.front()));
      slot.waiting.pop_front();
      ++slot.in_flight;
    }
    // Memory stays flat in the number of keys: forget a key at rest.
    if (slot.in_flight == 0 && slot.waiting.empty() && slot.limit >= options_.initial) slots_.erase(it);
  }
  for (auto& start : runnable) start();
}

void KeyedAimdLimiter::Seed(const std::string& key, double limit) {
  const double clamped = std::clamp(limit, options_.min, options_.max);
  if (clamped >= options_.initial) return;
  std::lock_guard lock(mutex_);
  slots_[key].limit = clamped;
}

double KeyedAimdLimiter::limit(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  return it == slots_.end() ? options_.initial : it->second.limit;
}

std::size_t KeyedAimdLimiter::in_flight(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  return it == slots_.end() ? 0 : it->second.in_flight;
}

std::size_t KeyedAimdLimiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace crmsync::http

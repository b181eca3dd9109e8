// Adaptive concurrency per key (a mailbox, an org): at most limit(key)
// requests in flight, the limit halved on each throttled answer and raised
// by one per `limit` successful ones (AIMD), so a client that meets a
// service's concurrency limit backs off to it and climbs back when it lifts.
// Thread-safe; work that does not fit waits in a FIFO per key.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace crmsync::http {

struct AimdOptions {
  double initial = 4;   // Outlook's 4 concurrent requests per (app, mailbox)
  double min = 1;
  double max = 4;
  // The limit climbs by one per `climb_after × limit` successful answers: 1
  // is classic AIMD; larger values probe less often, for services whose
  // throttled answers cost a retry with backoff.
  double climb_after = 1;
};

class KeyedAimdLimiter {
 public:
  explicit KeyedAimdLimiter(AimdOptions options = {});

  // Runs `start` now when `key` has a free slot, else when one frees. The
  // caller must call Release(key, ...) once for each start that ran.
  // `start` never runs under the limiter's lock.
  void Acquire(const std::string& key, std::function<void()> start);
  // Frees a slot of `key`; `throttled` when the answer was a 429/503.
  void Release(const std::string& key, bool throttled);

  // Starts `key` at `limit` (clamped to [min, max]) instead of `initial`:
  // what an earlier process learned of the service. A limit at or above
  // `initial` leaves the key as it is.
  void Seed(const std::string& key, double limit);

  double limit(const std::string& key) const;
  std::size_t in_flight(const std::string& key) const;
  // Keys with state (in flight, queued, or a lowered limit): stays small
  // when every key is back at its initial limit.
  std::size_t tracked_keys() const;

 private:
  struct Slot {
    double limit = 0;
    std::size_t in_flight = 0;
    std::deque<std::function<void()>> waiting;
  };
  bool Fits(const Slot& slot) const { return static_cast<double>(slot.in_flight) + 1 <= slot.limit + 1e-9; }

  const AimdOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace crmsync::http

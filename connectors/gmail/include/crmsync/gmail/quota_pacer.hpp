// Per-user quota pacing for the Gmail API: a token bucket of quota units per
// impersonated user, refilled at `units_per_second` with one second of burst.
// Callers reserve a call's units before sending it and delay the request by
// the returned wait, so a user never exceeds its rate and no thread sleeps.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace crmsync::gmail {

// Quota units per method (Gmail API usage limits).
inline constexpr int kUnitsMessagesList = 5;
inline constexpr int kUnitsMessagesGet = 5;
inline constexpr int kUnitsHistoryList = 2;
inline constexpr int kUnitsGetProfile = 1;
inline constexpr int kUnitsSendAsList = 1;
inline constexpr int kUnitsLabelsList = 1;
inline constexpr int kDefaultUnitsPerSecond = 250;

class QuotaPacer {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit QuotaPacer(int units_per_second = kDefaultUnitsPerSecond, Clock clock = {});

  // Takes `units` from `user`'s bucket and returns how long the call must
  // wait before it is sent (zero while the bucket has enough). Reservations
  // queue up: each later call waits for the units of the earlier ones.
  // Thread-safe.
  std::chrono::milliseconds Reserve(const std::string& user, int units);

 private:
  struct Bucket {
    double units = 0;  // may go negative: units owed by reserved calls
    std::chrono::steady_clock::time_point updated;
  };

  double rate_;  // units per second, also the bucket capacity
  Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace crmsync::gmail

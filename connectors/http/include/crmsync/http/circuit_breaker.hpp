// Per-host circuit breaker of the transport: after `failure_threshold`
// consecutive transient failures of one host (no answer, or 500/502/503/504)
// the circuit opens and requests to that host fail at once, without a
// connection, for `cool_down`; then one probe request goes through
// (half-open): its success closes the circuit, its failure opens it again.
// A request refused while open is a transient failure like a refused
// connection: the clients retry it with backoff, and a page that still
// fails stays blocked with its cursor unmoved. Throttling (429) never trips
// the breaker: the service is up and asked for patience, which Retry-After
// already gives it. Not thread-safe: used by the transport's loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crmsync::http {

struct CircuitBreakerOptions {
  // Consecutive transient failures that open a host's circuit; 0 disables
  // the breaker. Default: 8.
  int failure_threshold = 8;
  // How long an open circuit refuses requests before one probe. Default: 5 s.
  std::chrono::milliseconds cool_down{5000};
};

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CircuitBreaker(CircuitBreakerOptions options = {}) : options_(options) {}

  // May a request to `host` start now? False while its circuit is open, and
  // while a half-open probe is out. True admits the request (as the probe,
  // when the cool-down just ended); its outcome must come back via Record().
  bool Allow(std::string_view host, Clock::time_point now);
  // The outcome of an admitted request; `transient_failure` as described above.
  void Record(std::string_view host, bool transient_failure, Clock::time_point now);

  enum class State { kClosed, kOpen, kHalfOpen };
  State state(std::string_view host) const;
  std::uint64_t refused() const { return refused_; }
  std::uint64_t opened() const { return opened_; }

  // The breaker's view of a completed response.
  static bool IsTransientFailure(bool transport_ok, long status);

 private:
  struct Host {
    State state = State::kClosed;
    int consecutive_failures = 0;
    Clock::time_point open_until{};
  };

  CircuitBreakerOptions options_;
  std::unordered_map<std::string, Host> hosts_;
  std::uint64_t refused_ = 0;
  std::uint64_t opened_ = 0;
};

}  // namespace crmsync::http

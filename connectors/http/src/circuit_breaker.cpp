#include "crmsync/http/circuit_breaker.hpp"

namespace crmsync::http {

bool CircuitBreaker::IsTransientFailure(bool transport_ok, long status) {
  if (!transport_ok) return true;
  return status == 500 || status == 502 || status == 503 || status == 504;
}

bool CircuitBreaker::Allow(std::string_view host, Clock::time_point now) {
  if (options_.failure_threshold <= 0) return true;
  auto it = hosts_.find(std::string(host));
  if (it == hosts_.end()) return true;
  Host& h = it->second;
  switch (h.state) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now >= h.open_until) {
        h.state = State::kHalfOpen;   // this request is the probe
        return true;
      }
      ++refused_;
      return false;
    case State::kHalfOpen:
      ++refused_;   // one probe at a time
      return false;
  }
  return true;
}

void CircuitBreaker::Record(std::string_view host, bool transient_failure, Clock::time_point now) {
  if (options_.failure_threshold <= 0) return;
  if (!transient_failure) {
    auto it = hosts_.find(std::string(host));
    if (it != hosts_.end()) hosts_.erase(it);   // closed with no failures: nothing to remember
    return;
  }
  Host& h = hosts_[std::string(host)];
  if (h.state == State::kOpen) return;   // admitted before the circuit opened
  ++h.consecutive_failures;
  if (h.state == State::kHalfOpen || h.consecutive_failures >= options_.failure_threshold) {
    h.state = State::kOpen;
    h.open_until = now + options_.cool_down;
    ++opened_;
  }
}

CircuitBreaker::State CircuitBreaker::state(std::string_view host) const {
  auto it = hosts_.find(std::string(host));
  return it == hosts_.end() ? State::kClosed : it->second.state;
}

}  // namespace crmsync::http

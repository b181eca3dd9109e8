// The per-host circuit breaker: opens after consecutive transient failures,
// refuses while open, lets one probe through after the cool-down.
#include "crmsync/http/circuit_breaker.hpp"

#include <catch2/catch.hpp>

namespace crmsync::http {
namespace {

using Clock = CircuitBreaker::Clock;
using std::chrono::milliseconds;

TEST_CASE("circuit breaker: opens after N consecutive failures, per host", "[http][breaker]") {
  CircuitBreaker breaker({3, milliseconds(1000)});
  const Clock::time_point t0{};
  for (int i = 0; i < 2; ++i) {
    REQUIRE(breaker.Allow("a:443", t0));
    breaker.Record("a:443", true, t0);
  }
  CHECK(breaker.state("a:443") == CircuitBreaker::State::kClosed);
  // A success in between resets the count.
  breaker.Record("a:443", false, t0);
  for (int i = 0; i < 2; ++i) breaker.Record("a:443", true, t0);
  CHECK(breaker.Allow("a:443", t0));
  breaker.Record("a:443", true, t0);
  CHECK(breaker.state("a:443") == CircuitBreaker::State::kOpen);
  CHECK(breaker.opened() == 1);
  CHECK_FALSE(breaker.Allow("a:443", t0 + milliseconds(999)));
  CHECK(breaker.refused() == 1);
  CHECK(breaker.Allow("b:443", t0));   // other hosts are unaffected
}

TEST_CASE("circuit breaker: one probe after the cool-down closes or reopens", "[http][breaker]") {
  CircuitBreaker breaker({2, milliseconds(100)});
  const Clock::time_point t0{};
  breaker.Record("h", true, t0);
  breaker.Record("h", true, t0);
  REQUIRE(breaker.state("h") == CircuitBreaker::State::kOpen);

  REQUIRE(breaker.Allow("h", t0 + milliseconds(100)));   // the probe
  CHECK(breaker.state("h") == CircuitBreaker::State::kHalfOpen);
  CHECK_FALSE(breaker.Allow("h", t0 + milliseconds(101)));   // one probe at a time
  breaker.Record("h", true, t0 + milliseconds(150));   // the probe failed: open again
  CHECK(breaker.state("h") == CircuitBreaker::State::kOpen);
  CHECK_FALSE(breaker.Allow("h", t0 + milliseconds(200)));
  REQUIRE(breaker.Allow("h", t0 + milliseconds(250)));
  breaker.Record("h", false, t0 + milliseconds(260));   // the probe succeeded
  CHECK(breaker.state("h") == CircuitBreaker::State::kClosed);
  CHECK(breaker.Allow("h", t0 + milliseconds(261)));
}

TEST_CASE("circuit breaker: what counts as a transient failure", "[http][breaker]") {
  CHECK(CircuitBreaker::IsTransientFailure(false, 0));
  for (long status : {500L, 502L, 503L, 504L}) CHECK(CircuitBreaker::IsTransientFailure(true, status));
  for (long status : {200L, 400L, 401L, 403L, 404L, 429L}) CHECK_FALSE(CircuitBreaker::IsTransientFailure(true, status));
  CircuitBreaker disabled({0, milliseconds(100)});
  for (int i = 0; i < 10; ++i) disabled.Record("h", true, {});
  CHECK(disabled.Allow("h", {}));
}

}  // namespace
}  // namespace crmsync::http

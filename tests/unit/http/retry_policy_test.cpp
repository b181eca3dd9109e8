// Backoff under the configurable policy ([engine] retry_base_ms / retry_cap_ms).
#include "crmsync/http/retry.hpp"

#include <catch2/catch.hpp>

namespace crmsync::http {
namespace {

using std::chrono::milliseconds;

struct PolicyGuard {
  ~PolicyGuard() { SetBackoffPolicy(kBackoffBase, kBackoffCap); }
};

TEST_CASE("backoff policy: full jitter within base * 2^(retry-1), capped", "[http][retry]") {
  PolicyGuard restore;
  SetBackoffPolicy(milliseconds(10), milliseconds(35));
  milliseconds largest{0};
  for (int i = 0; i < 2000; ++i) {
    CHECK(BackoffDelay(1) <= milliseconds(10));
    CHECK(BackoffDelay(2) <= milliseconds(20));
    const milliseconds capped = BackoffDelay(6);
    CHECK(capped <= milliseconds(35));
    largest = std::max(largest, capped);
  }
  CHECK(largest > milliseconds(20));   // jitter spans the range, not only its bottom
  // A cap below the base is raised to the base; a zero base to 1 ms.
  SetBackoffPolicy(milliseconds(0), milliseconds(0));
  for (int i = 0; i < 100; ++i) CHECK(BackoffDelay(8) <= milliseconds(1));
}

TEST_CASE("retry delays: bounded attempts, Retry-After wins over backoff", "[http][retry]") {
  PolicyGuard restore;
  SetBackoffPolicy(milliseconds(5), milliseconds(5));
  int attempt = 1;
  auto first = NextRetryDelay(attempt, 3, milliseconds(1500));
  REQUIRE(first);
  CHECK(*first == milliseconds(1500));
  CHECK(attempt == 2);
  auto second = NextRetryDelay(attempt, 3);
  REQUIRE(second);
  CHECK(*second <= milliseconds(5));
  CHECK_FALSE(NextRetryDelay(attempt, 3));   // the third attempt was the last
  CHECK(ParseRetryAfter("0.050") == milliseconds(50));
  CHECK(ParseRetryAfter("99999999") == kMaxRetryAfter);
}

}  // namespace
}  // namespace crmsync::http

// KeyedAimdLimiter: at most limit(key) in flight, halved on a throttled
// answer, climbing back by one per `limit` successes, waiting work in order.
#include <catch2/catch.hpp>

#include <vector>

#include "crmsync/http/concurrency_limiter.hpp"

using crmsync::http::AimdOptions;
using crmsync::http::KeyedAimdLimiter;

TEST_CASE("at most the limit runs at once, the rest waits in order", "[http][limiter]") {
  KeyedAimdLimiter limiter(AimdOptions{2, 1, 4});
  std::vector<int> started;
  for (int i = 0; i < 4; ++i) limiter.Acquire("m1", [&started, i] { started.push_back(i); });
  CHECK(started == std::vector<int>{0, 1});
  CHECK(limiter.in_flight("m1") == 2);
  // Another key is independent.
  limiter.Acquire("m2", [&started] { started.push_back(100); });
  CHECK(started.back() == 100);
  limiter.Release("m1", false);
  CHECK(started == std::vector<int>{0, 1, 100, 2});
  CHECK(limiter.in_flight("m1") == 2);
}

TEST_CASE("a throttled answer halves the limit, successes climb back", "[http][limiter]") {
  KeyedAimdLimiter limiter(AimdOptions{4, 1, 4});
  int running = 0;
  for (int i = 0; i < 4; ++i) limiter.Acquire("m", [&running] { ++running; });
  CHECK(running == 4);
  limiter.Release("m", true);
  CHECK(limiter.limit("m") == Approx(2));
  limiter.Release("m", true);
  CHECK(limiter.limit("m") == Approx(1));
  limiter.Release("m", true);
  CHECK(limiter.limit("m") == Approx(1));   // never below min
  // One in flight, limit 1: the next waits until it is released.
  int later = 0;
  limiter.Acquire("m", [&later] { ++later; });
  CHECK(later == 0);
  limiter.Release("m", false);   // limit 1 -> 2; the waiting one starts
  CHECK(later == 1);
  CHECK(limiter.limit("m") == Approx(2));
  limiter.Release("m", false);   // 2 -> 2.5
  CHECK(limiter.limit("m") == Approx(2.5));
}

TEST_CASE("keys at rest are forgotten: memory does not grow with the number of mailboxes", "[http][limiter]") {
  KeyedAimdLimiter limiter;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "mailbox-" + std::to_string(i);
    limiter.Acquire(key, [] {});
    limiter.Release(key, false);
  }
  CHECK(limiter.tracked_keys() == 0);
  limiter.Acquire("slow", [] {});
  limiter.Release("slow", true);   // a lowered limit is remembered
  CHECK(limiter.tracked_keys() == 1);
  CHECK(limiter.limit("slow") < 4);
  limiter.Release("unknown", true);   // a release without an acquire changes nothing
  CHECK(limiter.tracked_keys() == 1);
}

TEST_CASE("climb_after slows the climb: about one step per climb_after x limit successes", "[http][limiter]") {
  KeyedAimdLimiter classic(AimdOptions{2, 1, 4});
  KeyedAimdLimiter slow(AimdOptions{2, 1, 4, 8});
  for (KeyedAimdLimiter* limiter : {&classic, &slow}) {
    limiter->Acquire("org", [] {});
    limiter->Release("org", true);   // 2 -> 1
    CHECK(limiter->limit("org") == Approx(1));
  }
  auto succeed = [](KeyedAimdLimiter& limiter, int times) {
    for (int i = 0; i < times; ++i) {
      limiter.Acquire("org", [] {});
      limiter.Release("org", false);
    }
  };
  succeed(classic, 1);
  CHECK(classic.limit("org") == Approx(2));   // classic: one success at limit 1 is a step
  succeed(slow, 11);
  CHECK(slow.limit("org") < 2);               // slow: 11 successes are not yet a step
  succeed(slow, 1);
  CHECK(slow.limit("org") >= 2);              // the 12th is (1 + sum of 1/(8 x limit))
}

TEST_CASE("a seeded key starts at the seeded limit, clamped, and a seed at or above initial changes nothing",
          "[http][limiter]") {
  KeyedAimdLimiter limiter(AimdOptions{25, 1, 25, 8});
  limiter.Seed("org", 1.5);
  CHECK(limiter.limit("org") == Approx(1.5));
  int running = 0;
  for (int i = 0; i < 3; ++i) limiter.Acquire("org", [&running] { ++running; });
  CHECK(running == 1);   // 1 + 1 > 1.5: the second waits
  limiter.Seed("low", 0.2);
  CHECK(limiter.limit("low") == Approx(1));   // never below min
  limiter.Seed("high", 40);
  CHECK(limiter.limit("high") == Approx(25));
  CHECK(limiter.tracked_keys() == 2);   // "org" and "low"; "high" is at its initial limit, not tracked
}

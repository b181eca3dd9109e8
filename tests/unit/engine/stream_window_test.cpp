#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "stream_window.hpp"

namespace crmsync::engine {
namespace {

StreamWindowLimits Limits(std::size_t initial, std::size_t ceiling) {
  return StreamWindowLimits{.initial = initial, .ceiling = ceiling, .starved_at_most = 2, .busy_from = 8};
}

}  // namespace

TEST_CASE("stream window: grows while pages find the workers idle, up to the ceiling", "[engine]") {
  StreamWindow window(Limits(4, 6));
  CHECK(window.size() == 4);
  CHECK(window.PageArrived(1));
  CHECK(window.PageArrived(2));
  CHECK(window.size() == 6);
  CHECK_FALSE(window.PageArrived(0));   // at the ceiling
  CHECK(window.size() == 6);
  CHECK(window.peak() == 6);
}

TEST_CASE("stream window: pages that queue for the workers do not grow it", "[engine]") {
  StreamWindow window(Limits(4, 100));
  CHECK_FALSE(window.PageArrived(3));
  CHECK_FALSE(window.PageArrived(50));
  CHECK(window.size() == 4);
}

TEST_CASE("stream window: a stream ending while the workers are busy is not replaced, down to the start",
          "[engine]") {
  StreamWindow window(Limits(2, 10));
  for (int i = 0; i < 3; ++i) REQUIRE(window.PageArrived(0));
  REQUIRE(window.size() == 5);
  CHECK(window.StreamEnded(7));   // below busy_from: replaced
  CHECK(window.size() == 5);
  CHECK_FALSE(window.StreamEnded(8));
  CHECK_FALSE(window.StreamEnded(20));
  CHECK_FALSE(window.StreamEnded(20));
  CHECK(window.size() == 2);
  CHECK(window.StreamEnded(20));   // never below where it started
  CHECK(window.size() == 2);
  CHECK(window.peak() == 5);
}

TEST_CASE("stream window: a ceiling below the start is the start (a fixed window)", "[engine]") {
  StreamWindow window(Limits(16, 8));
  CHECK_FALSE(window.PageArrived(0));
  CHECK(window.StreamEnded(100));
  CHECK(window.size() == 16);
}

TEST_CASE("stream window: concurrent growth never passes the ceiling", "[engine]") {
  StreamWindow window(Limits(1, 500));
  std::vector<std::thread> threads;
  std::atomic<int> grown{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (window.PageArrived(0)) ++grown;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(grown.load() == 499);
  CHECK(window.size() == 500);
  CHECK(window.peak() == 500);
}

}  // namespace crmsync::engine

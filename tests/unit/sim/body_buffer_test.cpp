// Response bodies recycled per thread (tools/sim/server/body_buffer.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "body_buffer.hpp"

namespace crmsync::sim {
namespace {

std::string WithCapacity(std::size_t capacity) {
  std::string s;
  s.reserve(capacity);
  s.assign(100, 'x');
  return s;
}

}  // namespace

TEST_CASE("a body buffer given back comes back empty with its storage, on the same thread") {
  (void)TakeBodyBuffer();   // whatever an earlier test on this thread left
  std::string sent = WithCapacity(1 << 20);
  const char* storage = sent.data();
  KeepBodyBuffer(std::move(sent));
  std::string next = TakeBodyBuffer();
  CHECK(next.empty());
  CHECK(next.capacity() >= (1u << 20));
  CHECK(next.data() == storage);
  // Taken: the thread has none left until one comes back.
  CHECK(TakeBodyBuffer().capacity() < (1u << 20));
}

TEST_CASE("the larger body buffer is kept, an oversized one is released") {
  (void)TakeBodyBuffer();
  KeepBodyBuffer(WithCapacity(1 << 16));
  std::string larger = WithCapacity(1 << 18);
  const char* storage = larger.data();
  KeepBodyBuffer(std::move(larger));
  KeepBodyBuffer(WithCapacity(1 << 17));   // smaller than the kept one: dropped
  KeepBodyBuffer(WithCapacity(kMaxKeptBodyBytes + 1));
  std::string next = TakeBodyBuffer();
  CHECK(next.data() == storage);
  CHECK(next.capacity() < kMaxKeptBodyBytes);
}

TEST_CASE("body buffers are per thread") {
  (void)TakeBodyBuffer();
  KeepBodyBuffer(WithCapacity(1 << 18));
  std::size_t other_capacity = 0;
  std::thread other([&] { other_capacity = TakeBodyBuffer().capacity(); });
  other.join();
  CHECK(other_capacity < (1u << 18));
  CHECK(TakeBodyBuffer().capacity() >= (1u << 18));
}

}  // namespace crmsync::sim

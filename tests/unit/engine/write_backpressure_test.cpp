#include <catch2/catch.hpp>

#include <string>

#include "write_backpressure.hpp"

using namespace crmsync::engine;

namespace {

HeldPage Page(std::size_t stream, std::uint64_t seq) { return HeldPage{stream, seq, "url-" + std::to_string(stream)}; }

}  // namespace

TEST_CASE("pages go out at once while a tenant's waiting records are under the limit", "[backpressure]") {
  WriteBackpressure pressure(2, 400);
  HeldPage page = Page(1, 3);
  CHECK_FALSE(pressure.HoldIfFull(0, page));
  CHECK(page.url == "url-1");   // untouched: the caller sends it
  CHECK(pressure.Update(0, 399, false).empty());
  CHECK_FALSE(pressure.HoldIfFull(0, page));
  CHECK(pressure.held() == 0);
}

TEST_CASE("a tenant over its limit holds its pages until its writes make room, in order", "[backpressure]") {
  WriteBackpressure pressure(2, 400);
  CHECK(pressure.Update(0, 400, false).empty());
  HeldPage a = Page(4, 1), b = Page(9, 7);
  CHECK(pressure.HoldIfFull(0, a));
  CHECK(pressure.HoldIfFull(0, b));
  CHECK(pressure.held() == 2);
  // The other tenant is not held back.
  HeldPage other = Page(5, 0);
  CHECK_FALSE(pressure.HoldIfFull(1, other));
  // Still full: nothing released.
  CHECK(pressure.Update(0, 1000, false).empty());
  const auto released = pressure.Update(0, 399, false);
  REQUIRE(released.size() == 2);
  CHECK(released[0].stream == 4);
  CHECK(released[0].seq == 1);
  CHECK(released[0].url == "url-4");
  CHECK(released[1].stream == 9);
  CHECK(released[1].seq == 7);
  CHECK(pressure.held() == 0);
}

TEST_CASE("stalled writes release every held page and hold no more", "[backpressure]") {
  WriteBackpressure pressure(1, 10);
  CHECK(pressure.Update(0, 50, false).empty());
  HeldPage a = Page(0, 1);
  REQUIRE(pressure.HoldIfFull(0, a));
  const auto released = pressure.Update(0, 50, true);   // nothing in flight will lower the 50
  REQUIRE(released.size() == 1);
  CHECK(released[0].url == "url-0");
  HeldPage b = Page(2, 0);
  CHECK_FALSE(pressure.HoldIfFull(0, b));
  // Writes moving again: held again.
  CHECK(pressure.Update(0, 50, false).empty());
  CHECK(pressure.HoldIfFull(0, b));
}

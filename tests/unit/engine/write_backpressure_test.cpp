#include <catch2/catch.hpp>

#include <string>

#include "write_backpressure.hpp"

using namespace crmsync::engine;

namespace {

HeldPage Page(std::size_t stream, std::uint64_t seq) { return HeldPage{stream, seq, "url-" + std::to_string(stream)}; }

// `n` page requests sent and answered: fetched pages on their way to the coordinator.
void Fetch(PagesUpstream& pages, int n) {
  for (int i = 0; i < n; ++i) {
    pages.Sent();
    pages.Fetched();
  }
}

}  // namespace

TEST_CASE("pages go out at once while a tenant's waiting records are under the limit", "[backpressure]") {
  WriteBackpressure pressure(2, 400, 100);
  PagesUpstream upstream;
  Fetch(upstream, 5);
  HeldPage page = Page(1, 3);
  CHECK_FALSE(pressure.HoldIfFull(0, page, upstream));
  CHECK(page.url == "url-1");   // untouched: the caller sends it
  CHECK(pressure.Update(0, 399, false, upstream).empty());
  CHECK_FALSE(pressure.HoldIfFull(0, page, upstream));
  CHECK(pressure.held() == 0);
}

TEST_CASE("a tenant over its limit holds its pages until its writes make room, in order", "[backpressure]") {
  WriteBackpressure pressure(2, 400, 100);
  PagesUpstream upstream;
  Fetch(upstream, 5);
  CHECK(pressure.Update(0, 400, false, upstream).empty());
  HeldPage a = Page(4, 1), b = Page(9, 7);
  CHECK(pressure.HoldIfFull(0, a, upstream));
  CHECK(pressure.HoldIfFull(0, b, upstream));
  CHECK(pressure.held() == 2);
  // The other tenant is not held back.
  HeldPage other = Page(5, 0);
  CHECK_FALSE(pressure.HoldIfFull(1, other, upstream));
  // Still full: nothing released.
  CHECK(pressure.Update(0, 1000, false, upstream).empty());
  const auto released = pressure.Update(0, 399, false, upstream);
  REQUIRE(released.size() == 2);
  CHECK(released[0].stream == 4);
  CHECK(released[0].seq == 1);
  CHECK(released[0].url == "url-4");
  CHECK(released[1].stream == 9);
  CHECK(released[1].seq == 7);
  CHECK(pressure.held() == 0);
}

TEST_CASE("stalled writes release every held page and hold no more", "[backpressure]") {
  WriteBackpressure pressure(1, 10, 100);
  PagesUpstream upstream;
  CHECK(pressure.Update(0, 50, false, upstream).empty());
  HeldPage a = Page(0, 1);
  REQUIRE(pressure.HoldIfFull(0, a, upstream));
  const auto released = pressure.Update(0, 50, true, upstream);   // nothing in flight will lower the 50
  REQUIRE(released.size() == 1);
  CHECK(released[0].url == "url-0");
  HeldPage b = Page(2, 0);
  CHECK_FALSE(pressure.HoldIfFull(0, b, upstream));
  // Writes moving again: held again.
  CHECK(pressure.Update(0, 50, false, upstream).empty());
  CHECK(pressure.HoldIfFull(0, b, upstream));
}

TEST_CASE("every tenant's pages wait while the coordinator has the page limit upstream", "[backpressure]") {
  WriteBackpressure pressure(2, 400, 3);
  PagesUpstream upstream;
  Fetch(upstream, 3);
  HeldPage a = Page(1, 2), b = Page(6, 0);
  CHECK(pressure.HoldIfFull(0, a, upstream));
  CHECK(pressure.HoldIfFull(1, b, upstream));   // no records waiting: the pages alone hold it
  // Stalled writes do not lift the page limit: pages always reach the coordinator.
  CHECK(pressure.Update(1, 0, true, upstream).empty());
  upstream.Left();   // the coordinator took a page
  const auto first = pressure.Update(0, 0, false, upstream);
  REQUIRE(first.size() == 1);
  CHECK(first[0].stream == 1);
  const auto second = pressure.Update(1, 0, true, upstream);
  REQUIRE(second.size() == 1);
  CHECK(second[0].stream == 6);
  HeldPage c = Page(2, 1);
  CHECK_FALSE(pressure.HoldIfFull(0, c, upstream));
}

TEST_CASE("a stopped run takes every held page back", "[backpressure]") {
  WriteBackpressure pressure(2, 1, 100);
  PagesUpstream upstream;
  CHECK(pressure.Update(0, 5, false, upstream).empty());
  CHECK(pressure.Update(1, 5, false, upstream).empty());
  HeldPage a = Page(1, 1), b = Page(2, 4);
  REQUIRE(pressure.HoldIfFull(0, a, upstream));
  REQUIRE(pressure.HoldIfFull(1, b, upstream));
  const auto all = pressure.ReleaseAll();
  REQUIRE(all.size() == 2);
  CHECK(all[0].stream == 1);
  CHECK(all[1].stream == 2);
  CHECK(pressure.held() == 0);
}

TEST_CASE("page requests on the wire do not count against the page limit, fetched pages do", "[backpressure]") {
  WriteBackpressure pressure(1, 400, 3);
  PagesUpstream upstream;
  // Ten requests out, none answered: they hold no page, so an eleventh goes out.
  for (int i = 0; i < 10; ++i) upstream.Sent();
  HeldPage a = Page(1, 0);
  CHECK_FALSE(pressure.HoldIfFull(0, a, upstream));
  // Three answers wait for the coordinator (CRM lookups, say): the limit holds the next request.
  for (int i = 0; i < 3; ++i) upstream.Fetched();
  CHECK(pressure.HoldIfFull(0, a, upstream));
  // The coordinator takes one: the held request goes out.
  CHECK_FALSE(upstream.Left());
  const auto released = pressure.Update(0, 0, false, upstream);
  REQUIRE(released.size() == 1);
  CHECK(released[0].stream == 1);
}

TEST_CASE("the last page to leave says that no page request is left upstream", "[backpressure]") {
  PagesUpstream upstream;
  Fetch(upstream, 2);
  upstream.Sent();   // a third request, still on the wire
  CHECK_FALSE(upstream.Left());
  CHECK_FALSE(upstream.Left());
  CHECK(upstream.requested.load() == 1);
  CHECK(upstream.fetched.load() == 0);
  upstream.Fetched();
  CHECK(upstream.Left());
}

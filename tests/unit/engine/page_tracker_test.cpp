#include <catch2/catch.hpp>

#include "crmsync/engine/page_tracker.hpp"

using namespace crmsync::engine;

TEST_CASE("cursors advance only past fully terminal pages, in page order", "[ack]") {
  PageTracker tracker;
  tracker.AddPage({7, 1}, "after-1", 1);   // page 1 arrives before page 0
  tracker.AddPage({7, 0}, "after-0", 2);
  CHECK(tracker.TakeAdvanced().empty());
  tracker.MessageTerminal({7, 1});         // page 1 done, page 0 not yet
  CHECK(tracker.TakeAdvanced().empty());
  tracker.MessageTerminal({7, 0});
  CHECK(tracker.TakeAdvanced().empty());
  tracker.MessageTerminal({7, 0});         // page 0 done: both commit, the furthest wins
  auto advanced = tracker.TakeAdvanced();
  REQUIRE(advanced.size() == 1);
  CHECK(advanced[0] == std::pair<std::size_t, std::string>{7, "after-1"});
  CHECK(tracker.open_pages() == 0);
}

TEST_CASE("pages with nothing to write commit at once, a blocked page holds its stream", "[ack]") {
  PageTracker tracker;
  tracker.AddPage({1, 0}, "a0", 0);
  tracker.AddPage({2, 0}, "b0", 1);
  tracker.Block({2, 0});
  tracker.MessageTerminal({2, 0});
  tracker.AddPage({2, 1}, "b1", 0);
  auto advanced = tracker.TakeAdvanced();
  REQUIRE(advanced.size() == 1);
  CHECK(advanced[0].first == 1);
  CHECK(advanced[0].second == "a0");
  CHECK(tracker.open_pages() == 2);
}

TEST_CASE("the tracker forgets a stream once its pages committed, and keeps its page order", "[ack]") {
  PageTracker tracker;
  tracker.AddPage({3, 0}, "c0", 1);
  tracker.AddPage({4, 0}, "d0", 0);   // commits at once: nothing kept for stream 4
  CHECK(tracker.streams_with_open_pages() == 1);
  tracker.MessageTerminal({3, 0});
  CHECK(tracker.streams_with_open_pages() == 0);
  CHECK(tracker.open_pages() == 0);
  auto advanced = tracker.TakeAdvanced();
  REQUIRE(advanced.size() == 2);
  CHECK(advanced[0] == std::pair<std::size_t, std::string>{3, "c0"});
  CHECK(advanced[1] == std::pair<std::size_t, std::string>{4, "d0"});
  // A forgotten stream still waits for its next page in order: page 2
  // arriving before page 1 does not move the cursor past page 1.
  tracker.AddPage({3, 2}, "c2", 0);
  CHECK(tracker.TakeAdvanced().empty());
  CHECK(tracker.streams_with_open_pages() == 1);
  tracker.AddPage({3, 1}, "c1", 0);
  advanced = tracker.TakeAdvanced();
  REQUIRE(advanced.size() == 1);
  CHECK(advanced[0] == std::pair<std::size_t, std::string>{3, "c2"});
  CHECK(tracker.streams_with_open_pages() == 0);
  // Late acknowledgements of a forgotten stream's pages change nothing.
  tracker.MessageTerminal({3, 0});
  tracker.Block({3, 1});
  CHECK(tracker.TakeAdvanced().empty());
  CHECK(tracker.streams_with_open_pages() == 0);
}

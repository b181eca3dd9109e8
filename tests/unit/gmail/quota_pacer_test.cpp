#include <catch2/catch.hpp>

#include "crmsync/gmail/quota_pacer.hpp"

using namespace crmsync::gmail;
using namespace std::chrono_literals;

TEST_CASE("quota pacer: a second of burst, then calls wait for their units", "[gmail][quota]") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  QuotaPacer pacer(250, [&] { return now; });
  // 50 metadata gets (5 units each) = 250 units: the burst.
  for (int i = 0; i < 50; ++i) CHECK(pacer.Reserve("alice", kUnitsMessagesGet) == 0ms);
  // The next get owes 5 units at 250 units/s: 20 ms; the one after, 40 ms.
  CHECK(pacer.Reserve("alice", kUnitsMessagesGet) == 20ms);
  CHECK(pacer.Reserve("alice", kUnitsMessagesGet) == 40ms);
  // Users are paced separately.
  CHECK(pacer.Reserve("bob", kUnitsMessagesList) == 0ms);
  // Time refills the bucket, up to one second's worth.
  now += 1s;
  CHECK(pacer.Reserve("alice", kUnitsHistoryList) == 0ms);
  now += 1h;
  for (int i = 0; i < 250; ++i) CHECK(pacer.Reserve("alice", kUnitsGetProfile) == 0ms);
  CHECK(pacer.Reserve("alice", kUnitsGetProfile) == 4ms);
}

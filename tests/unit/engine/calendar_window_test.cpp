// The calendar pass's windows (engine/src/calendar_window.hpp).
#include <catch2/catch.hpp>

#include <chrono>

#include "calendar_window.hpp"

using namespace crmsync::engine;

namespace {

std::chrono::system_clock::time_point At(int y, unsigned m, unsigned d, int hour, int minute) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
         std::chrono::hours{hour} + std::chrono::minutes{minute};
}

}  // namespace

TEST_CASE("meetings window: anchor minus past days to anchor plus future days", "[calendar]") {
  CaptureConfig c;
  c.calendar_past_days = 30;
  c.calendar_future_days = 90;
  const auto now = At(2026, 11, 24, 3, 50) + std::chrono::milliseconds{750};
  const CalendarWindow w = MeetingsWindow(c, now);
  CHECK(w.start == "2026-10-25T03:50:00Z");
  CHECK(w.end == "2027-02-22T03:50:00Z");

  c.calendar_anchor = "2026-11-01";   // pinned: the run's time no longer matters
  const CalendarWindow pinned = MeetingsWindow(c, now);
  CHECK(pinned.start == "2026-10-02T00:00:00Z");
  CHECK(pinned.end == "2027-01-30T00:00:00Z");
  CHECK(MeetingsWindow(c, At(2030, 1, 1, 0, 0)).start == pinned.start);
}

TEST_CASE("free/busy window: anchor to anchor plus freebusy_days", "[calendar]") {
  CaptureConfig c;
  CHECK(c.freebusy_days == 14);   // the documented default
  const CalendarWindow w = FreeBusyWindow(c, At(2026, 2, 20, 12, 0));
  CHECK(w.start == "2026-02-20T12:00:00Z");
  CHECK(w.end == "2026-03-06T12:00:00Z");   // across the end of February
  c.calendar_anchor = "2028-02-28";
  c.freebusy_days = 2;
  const CalendarWindow leap = FreeBusyWindow(c, At(2026, 2, 20, 12, 0));
  CHECK(leap.start == "2028-02-28T00:00:00Z");
  CHECK(leap.end == "2028-03-01T00:00:00Z");   // 2028 is a leap year
}

// The time windows of the calendar pass (capture_config.hpp): pure, tested.
#pragma once

#include <chrono>
#include <string>

#include "crmsync/engine/capture_config.hpp"

namespace crmsync::engine {

struct CalendarWindow {
  std::string start;   // "YYYY-MM-DDTHH:MM:SSZ"
  std::string end;
};

// The anchor (calendar_anchor at midnight UTC, else `now` cut to the
// second) minus calendar_past_days to plus calendar_future_days.
CalendarWindow MeetingsWindow(const CaptureConfig& capture, std::chrono::system_clock::time_point now);
// The anchor to plus freebusy_days.
CalendarWindow FreeBusyWindow(const CaptureConfig& capture, std::chrono::system_clock::time_point now);

}  // namespace crmsync::engine

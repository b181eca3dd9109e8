#include "calendar_window.hpp"

#include <ctime>

namespace crmsync::engine {
namespace {

using Clock = std::chrono::system_clock;

std::string Iso(Clock::time_point tp) {
  const std::time_t t = Clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The config reader accepted calendar_anchor as YYYY-MM-DD.
Clock::time_point Anchor(const CaptureConfig& capture, Clock::time_point now) {
  if (capture.calendar_anchor.size() != 10) return std::chrono::time_point_cast<std::chrono::seconds>(now);
  const int y = std::stoi(capture.calendar_anchor.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(capture.calendar_anchor.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(capture.calendar_anchor.substr(8, 2)));
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

}  // namespace

CalendarWindow MeetingsWindow(const CaptureConfig& capture, Clock::time_point now) {
  const Clock::time_point anchor = Anchor(capture, now);
  return {Iso(anchor - std::chrono::days{capture.calendar_past_days}),
          Iso(anchor + std::chrono::days{capture.calendar_future_days})};
}

CalendarWindow FreeBusyWindow(const CaptureConfig& capture, Clock::time_point now) {
  const Clock::time_point anchor = Anchor(capture, now);
  return {Iso(anchor), Iso(anchor + std::chrono::days{capture.freebusy_days})};
}

}  // namespace crmsync::engine

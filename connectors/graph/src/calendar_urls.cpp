// Graph calendar requests: the first calendarView delta URL and the
// getSchedule URL and body (API-FACTS.md §1.4, §1.5).
#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

#include "crmsync/graph/calendar.hpp"
#include "crmsync/json/escape.hpp"

namespace crmsync::graph {
namespace {

std::string_view TrimTrailingSlash(std::string_view origin) {
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  return origin;
}

// Percent-encodes everything but unreserved characters; '@' stays readable
// in a path segment (UPNs), as in urls.cpp.
std::string Escape(std::string_view text, bool keep_at) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), &curl_free);
  if (!escaped) return {};
  std::string out;
  for (std::string_view rest(escaped.get()); !rest.empty();) {
    if (keep_at && rest.substr(0, 3) == "%40") {
      out.push_back('@');
      rest.remove_prefix(3);
    } else {
      out.push_back(rest.front());
      rest.remove_prefix(1);
    }
  }
  return out;
}

// "YYYY-MM-DDTHH:MM:SSZ" exactly: getSchedule takes a wall-clock time plus a
// zone, so the UTC designator is dropped and "UTC" named instead.
bool IsUtcSeconds(std::string_view iso) {
  if (iso.size() != 20 || iso[19] != 'Z') return false;
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = iso[i] >= '0' && iso[i] <= '9';
    if (kShape[i] == 'd' ? !digit : iso[i] != kShape[i]) return false;
  }
  return true;
}

}  // namespace

std::string InitialCalendarDeltaUrl(std::string_view graph_url, std::string_view user_id,
                                    std::string_view start_iso, std::string_view end_iso) {
  return fmt::format("{}/v1.0/users/{}/calendarView/delta?startDateTime={}&endDateTime={}",
                     TrimTrailingSlash(graph_url), Escape(user_id, true), Escape(start_iso, false),
                     Escape(end_iso, false));
}

std::string GetScheduleUrl(std::string_view graph_url, std::string_view user_id) {
  return fmt::format("{}/v1.0/users/{}/calendar/getSchedule", TrimTrailingSlash(graph_url), Escape(user_id, true));
}

Result<std::string> BuildGetScheduleBody(std::span<const std::string> schedules, std::string_view start_iso,
                                         std::string_view end_iso, int interval_minutes) {
  if (schedules.empty()) return Status::InvalidArgument("getSchedule schedules: empty");
  if (schedules.size() > kMaxSchedulesPerRequest) {
    return Status::InvalidArgument(fmt::format("getSchedule schedules: {} given, at most {} per request",
                                               schedules.size(), kMaxSchedulesPerRequest));
  }
  if (interval_minutes < kMinAvailabilityInterval || interval_minutes > kMaxAvailabilityInterval) {
    return Status::InvalidArgument(fmt::format("getSchedule availabilityViewInterval: {} is outside {}..{}",
                                               interval_minutes, kMinAvailabilityInterval,
                                               kMaxAvailabilityInterval));
  }
  if (!IsUtcSeconds(start_iso)) {
    return Status::InvalidArgument(fmt::format("getSchedule startTime: '{}' is not YYYY-MM-DDTHH:MM:SSZ",
                                               start_iso.substr(0, 40)));
  }
  if (!IsUtcSeconds(end_iso)) {
    return Status::InvalidArgument(fmt::format("getSchedule endTime: '{}' is not YYYY-MM-DDTHH:MM:SSZ",
                                               end_iso.substr(0, 40)));
  }
  if (end_iso <= start_iso) return Status::InvalidArgument("getSchedule endTime: not after startTime");
  std::string body = R"({"schedules":[)";
  for (std::size_t i = 0; i < schedules.size(); ++i) {
    if (i > 0) body.push_back(',');
    json::AppendJsonString(body, schedules[i]);
  }
  body += fmt::format(R"(],"startTime":{{"dateTime":"{}","timeZone":"UTC"}},)"
                      R"("endTime":{{"dateTime":"{}","timeZone":"UTC"}},"availabilityViewInterval":{}}})",
                      start_iso.substr(0, 19), end_iso.substr(0, 19), interval_minutes);
  return body;
}

}  // namespace crmsync::graph

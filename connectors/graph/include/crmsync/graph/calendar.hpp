// Microsoft Graph calendars (API-FACTS.md §1.4 calendarView delta, §1.5
// getSchedule): URL and body building and page parsers. Pure functions,
// driven by graph_calendar_source.cpp. Parsers take the body as received; malformed
// input (bad JSON, wrong types, invalid UTF-8, non-UTC times) gives
// kCorruption naming the field; they never throw.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/meeting.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::graph {

inline constexpr std::size_t kMaxSchedulesPerRequest = 100;   // more: ErrorMailboxDataArrayTooBig
inline constexpr int kMinAvailabilityInterval = 5;
inline constexpr int kMaxAvailabilityInterval = 1440;

// {graph_url}/v1.0/users/{id}/calendarView/delta?startDateTime=S&endDateTime=E
// S and E (ISO-8601) go on the first call only; every later call follows the
// page's next_link / delta_link exactly as given.
std::string InitialCalendarDeltaUrl(std::string_view graph_url, std::string_view user_id,
                                    std::string_view start_iso, std::string_view end_iso);

struct CalendarDeltaPage {
  std::vector<Meeting> meetings;     // tombstones (@removed) have removed = true and only source_id
  std::string next_link;             // exactly one of next_link / delta_link is set
  std::string delta_link;
};
// Events as GET /calendarView returns them: id (required), iCalUId, subject,
// location.displayName, start/end {dateTime, timeZone} (UTC expected: the
// request sends no Prefer: outlook.timezone), isAllDay, isCancelled,
// organizer and attendees[] {emailAddress, status.response}.
Result<CalendarDeltaPage> ParseCalendarDeltaPage(std::string_view body);

// {graph_url}/v1.0/users/{id}/calendar/getSchedule
std::string GetScheduleUrl(std::string_view graph_url, std::string_view user_id);
// {"schedules":[...],"startTime":{"dateTime":..,"timeZone":"UTC"},"endTime":{..},
//  "availabilityViewInterval":N}. kInvalidArgument for 0 or more than
// kMaxSchedulesPerRequest schedules, an interval outside 5..1440, or start/end
// that are not "YYYY-MM-DDTHH:MM:SSZ".
Result<std::string> BuildGetScheduleBody(std::span<const std::string> schedules, std::string_view start_iso,
                                         std::string_view end_iso, int interval_minutes = 30);

struct ScheduleResult {
  std::string schedule_id;
  std::vector<BusySlot> busy;        // scheduleItems that are not "free", in order
  std::string error;                 // the entry's own error message; the others still count
};
// {"value":[scheduleInformation]}. Only status, start and end of each item are
// read (never subject or location).
Result<std::vector<ScheduleResult>> ParseGetScheduleResponse(std::string_view body);

}  // namespace crmsync::graph

// Google Calendar API v3 (events list with sync tokens, freeBusy): URL and
// body building and parsers. Pure functions, driven by gmail_calendar_source.cpp.
// Parsers take the body as received; malformed input (bad JSON, wrong
// types, invalid UTF-8, unreadable times) gives kCorruption naming the
// field; they never throw.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/meeting.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::gmail {

inline constexpr int kMaxEventsPageSize = 2500;   // events.list maxResults limit

// {api}/calendar/v3/calendars/primary/events?singleEvents=true&maxResults=N, then
// - first call of a full sync (sync_token empty): &timeMin=..&timeMax=..
// - increment: &syncToken=T (Google refuses timeMin/timeMax with a syncToken)
// and &pageToken=P while a round has more pages.
std::string CalendarEventsUrl(std::string_view api_url, std::string_view time_min, std::string_view time_max,
                              std::string_view sync_token, std::string_view page_token, int page_size = 250);

// An expired or invalid syncToken is answered 410 GONE: drop the token and
// start a full sync (timeMin/timeMax) again.
inline bool SyncTokenExpired(int http_status) { return http_status == 410; }

struct CalendarEventsPage {
  std::vector<Meeting> meetings;
  std::string next_page_token;   // more pages in this round
  std::string next_sync_token;   // set on the last page: the next increment's token
};
// items[]: id (required), iCalUID, status (cancelled -> cancelled; a cancelled
// item without iCalUID, as increments send deletions, -> removed), summary,
// location, start/end {dateTime (RFC 3339 with offset, converted to UTC) |
// date (all-day)}, organizer{email}, attendees[]{email, displayName,
// responseStatus, organizer}. A page has at most one of the two tokens.
Result<CalendarEventsPage> ParseCalendarEventsPage(std::string_view body);

// {api}/calendar/v3/freeBusy
std::string FreeBusyUrl(std::string_view api_url);
// {"timeMin":..,"timeMax":..,"items":[{"id":..},...]}; kInvalidArgument for no
// ids or empty times.
Result<std::string> BuildFreeBusyBody(std::span<const std::string> calendar_ids, std::string_view time_min,
                                      std::string_view time_max);

struct FreeBusyCalendar {
  std::string id;
  std::vector<BusySlot> busy;          // start/end converted to UTC
  std::vector<std::string> errors;     // errors[].reason (e.g. notFound); the others still count
};
// {"calendars":{"id":{"busy":[{"start","end"}],"errors":[{"domain","reason"}]}}}
Result<std::vector<FreeBusyCalendar>> ParseFreeBusyResponse(std::string_view body);

// RFC 3339 ("2026-05-01T10:00:00-07:00", "...Z", fractions allowed) ->
// "2026-05-01T17:00:00Z"; "" when unreadable.
std::string Rfc3339ToUtc(std::string_view text);

}  // namespace crmsync::gmail

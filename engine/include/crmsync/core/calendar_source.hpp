// The engine's view of a mail system's calendars (Graph calendarView delta
// and getSchedule, Google Calendar events and freeBusy). Connectors that
// have calendars implement it next to their MailSource; the engine never
// builds a URL and never sees a wire format. Calls block: the engine makes
// them from its own calendar pass, never from a transport callback.
// Implementations are thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/mail_source.hpp"
#include "crmsync/core/meeting.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync {

// One page of a user's calendar stream.
struct CalendarPage {
  std::vector<Meeting> meetings;
  // With `last`, the cursor of the next run (deltaLink, syncToken);
  // otherwise the next page of this round.
  std::string next_cursor;
  bool last = false;
};

// The busy slots of one user over a window.
struct UserBusy {
  std::string address;               // as asked, lower-case
  std::vector<BusySlot> busy;
  std::string error;                 // this user's own error; the others still count
};

class CalendarSource {
 public:
  virtual ~CalendarSource() = default;

  // The cursor that reads `user`'s calendar from scratch over [start, end)
  // (ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ").
  virtual std::string InitialCalendarCursor(const MailUserView& user, std::string_view start_iso,
                                            std::string_view end_iso) const = 0;
  // Errors: kGone means the cursor expired and the calendar must restart
  // from InitialCalendarCursor; kCorruption for a malformed page.
  virtual Result<CalendarPage> FetchCalendarPage(const MailUserView& user, const std::string& cursor) = 0;

  // How many users one free/busy request may name.
  virtual std::size_t MaxBusyUsersPerRequest() const = 0;
  // Free/busy only (times, never subject, location or attendees) of `users`
  // over [start, end), asked as `caller` (a user of the same organization).
  virtual Result<std::vector<UserBusy>> FetchBusy(const MailUserView& caller, std::span<const MailUserView> users,
                                                  std::string_view start_iso, std::string_view end_iso) = 0;
};

}  // namespace crmsync

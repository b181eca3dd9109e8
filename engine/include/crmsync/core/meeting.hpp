// Connector-neutral calendar records produced by the calendar parsers
// (Graph calendarView delta / getSchedule, Google Calendar events / freeBusy).
#pragma once

#include <string>
#include <vector>

namespace crmsync {

struct MeetingAttendee {
  std::string address;     // as the remote system gave it; the engine lower-cases
  std::string name;
  // Normalized: "accepted" | "declined" | "tentative" | "none" (needsAction,
  // notResponded and unknown values all become "none").
  std::string response = "none";
  bool organizer = false;
};

// One calendar event as seen in one calendar. The same meeting in several
// attendees' calendars shares ical_uid (the dedup key) but not source_id.
struct Meeting {
  std::string source_id;    // connector's id of this copy
  std::string ical_uid;     // iCalendar UID, shared by every copy
  std::string subject;
  std::string location;
  std::string start;        // ISO-8601 UTC "2026-05-01T10:00:00Z"; all-day: "2026-05-01"
  std::string end;          // exclusive; all-day: the day after the last day
  bool all_day = false;
  bool cancelled = false;   // the organizer cancelled it (still listed)
  bool removed = false;     // delta tombstone: deleted or outside the window
  MeetingAttendee organizer;
  std::vector<MeetingAttendee> attendees;
};

// One busy interval of one user's free/busy, nothing more.
struct BusySlot {
  std::string start;        // ISO-8601 UTC
  std::string end;
  std::string status = "busy";   // busy | tentative | oof | workingElsewhere
};

}  // namespace crmsync

// Google Calendar events.list page -> Meetings.
#include <fmt/format.h>

#include "crmsync/gmail/calendar.hpp"
#include "json_support.hpp"

namespace crmsync::gmail {
namespace {

namespace od = detail::od;

constexpr std::string_view kWhat = "Google Calendar events page";

// {"dateTime": RFC 3339} or {"date": "YYYY-MM-DD"} (all-day).
struct RawTime {
  std::string date_time;
  std::string date;
};

Status ReadTime(od::value& v, RawTime& out) {
  return detail::ForEachNullableObjectField(v, [&out](std::string_view key, od::value& field) {
    if (key == "dateTime") return detail::ReadString(field, out.date_time);
    if (key == "date") return detail::ReadString(field, out.date);
    return Status::Ok();
  });
}

bool IsDate(std::string_view date) {
  constexpr std::string_view kShape = "dddd-dd-dd";
  if (date.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = date[i] >= '0' && date[i] <= '9';
    if (kShape[i] == 'd' ? !digit : date[i] != kShape[i]) return false;
  }
  return true;
}

Status FinishTime(std::string_view name, const RawTime& raw, Meeting& meeting, std::string& out) {
  if (!raw.date_time.empty()) {
    out = Rfc3339ToUtc(raw.date_time);
    if (out.empty()) {
      return Status::Corruption(fmt::format("{}.dateTime: '{}' is not RFC 3339", name, raw.date_time.substr(0, 40)));
    }
    return Status::Ok();
  }
  if (!raw.date.empty()) {
    if (!IsDate(raw.date)) {
      return Status::Corruption(fmt::format("{}.date: '{}' is not YYYY-MM-DD", name, raw.date.substr(0, 40)));
    }
    out = raw.date;
    meeting.all_day = true;
    return Status::Ok();
  }
  return Status::Corruption(fmt::format("{}: neither dateTime nor date", name));
}

std::string NormalizeResponse(std::string_view response) {
  if (response == "accepted" || response == "declined" || response == "tentative") return std::string(response);
  return "none";
}

Status ReadAttendee(od::value& element, MeetingAttendee& attendee) {
  return detail::ForEachObjectField(element, [&attendee](std::string_view key, od::value& v) {
    if (key == "email") return detail::ReadString(v, attendee.address);
    if (key == "displayName") return detail::ReadString(v, attendee.name);
    if (key == "organizer") return detail::ReadBool(v, attendee.organizer);
    if (key == "responseStatus") {
      std::string response;
      Status s = detail::ReadString(v, response);
      attendee.response = NormalizeResponse(response);
      return s;
    }
    return Status::Ok();
  });
}

Status ReadEvent(od::value& element, Meeting& meeting) {
  std::string status;
  RawTime start, end;
  bool has_start = false, has_end = false;
  Status s = detail::ForEachObjectField(element, [&](std::string_view key, od::value& v) {
    if (key == "id") return detail::ReadRequiredString(v, meeting.source_id);
    if (key == "iCalUID") return detail::ReadString(v, meeting.ical_uid);
    if (key == "status") return detail::ReadString(v, status);
    if (key == "summary") return detail::ReadString(v, meeting.subject);
    if (key == "location") return detail::ReadString(v, meeting.location);
    if (key == "start") {
      has_start = true;
      return ReadTime(v, start);
    }
    if (key == "end") {
      has_end = true;
      return ReadTime(v, end);
    }
    if (key == "organizer") {
      return detail::ForEachNullableObjectField(v, [&meeting](std::string_view k, od::value& f) {
        if (k == "email") return detail::ReadString(f, meeting.organizer.address);
        if (k == "displayName") return detail::ReadString(f, meeting.organizer.name);
        return Status::Ok();
      });
    }
    if (key == "attendees") {
      bool is_null = false;
      if (Status n = detail::CheckNull(v, &is_null); !n.ok() || is_null) return n;
      return detail::ForEachElement(v, [&meeting](od::value& a) {
        MeetingAttendee attendee;
        if (Status r = ReadAttendee(a, attendee); !r.ok()) return r;
        meeting.attendees.push_back(std::move(attendee));
        return Status::Ok();
      });
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (meeting.source_id.empty()) return Status::Corruption("id: missing");
  meeting.cancelled = status == "cancelled";
  if (meeting.cancelled && meeting.ical_uid.empty()) {
    // Increments report deleted events as bare {id, status: cancelled}.
    Meeting tombstone;
    tombstone.source_id = std::move(meeting.source_id);
    tombstone.cancelled = true;
    tombstone.removed = true;
    meeting = std::move(tombstone);
    return Status::Ok();
  }
  if (meeting.ical_uid.empty()) return Status::Corruption("iCalUID: missing");
  if (!has_start) return Status::Corruption("start: missing");
  if (!has_end) return Status::Corruption("end: missing");
  if (Status t = FinishTime("start", start, meeting, meeting.start); !t.ok()) return t;
  if (Status t = FinishTime("end", end, meeting, meeting.end); !t.ok()) return t;
  if (!meeting.organizer.address.empty()) {
    meeting.organizer.organizer = true;
    meeting.organizer.response = "accepted";
  }
  return Status::Ok();
}

}  // namespace

Result<CalendarEventsPage> ParseCalendarEventsPage(std::string_view body) {
  CalendarEventsPage page;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "items") {
      return detail::ForEachElement(v, [&page](od::value& element) {
        Meeting meeting;
        if (Status r = ReadEvent(element, meeting); !r.ok()) return r;
        page.meetings.push_back(std::move(meeting));
        return Status::Ok();
      });
    }
    if (key == "nextPageToken") return detail::ReadString(v, page.next_page_token);
    if (key == "nextSyncToken") return detail::ReadString(v, page.next_sync_token);
    return Status::Ok();
  });
  if (s.ok() && !page.next_page_token.empty() && !page.next_sync_token.empty()) {
    s = Status::Corruption(": both nextPageToken and nextSyncToken are present");
  }
  if (!s.ok()) return detail::Describe(kWhat, s);
  return page;
}

}  // namespace crmsync::gmail

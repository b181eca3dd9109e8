// Graph calendar pages: calendarView delta events and getSchedule results.
#include <fmt/format.h>

#include <cctype>

#include "crmsync/graph/calendar.hpp"
#include "json_support.hpp"

namespace crmsync::graph {
namespace {

namespace od = detail::od;
using od::value;
using detail::JsonError;
using detail::Nest;

constexpr std::string_view kDeltaWhat = "Graph calendarView delta page";
constexpr std::string_view kScheduleWhat = "Graph getSchedule response";

// Nest() always builds an error; top-level visitors name their own path.
Status NestOnError(std::string_view segment, const Status& inner) {
  return inner.ok() ? inner : Nest(segment, inner);
}

bool IsDigits(std::string_view text) {
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !text.empty();
}

// "2026-05-01T10:00:00[.fffffff]" -> "2026-05-01T10:00:00Z"; the date alone
// for all-day events, whose times are midnights.
Status NormalizeDateTime(std::string_view date_time, bool date_only, std::string& out) {
  const bool shaped = date_time.size() >= 19 && IsDigits(date_time.substr(0, 4)) && date_time[4] == '-' &&
                      IsDigits(date_time.substr(5, 2)) && date_time[7] == '-' && IsDigits(date_time.substr(8, 2)) &&
                      date_time[10] == 'T' && IsDigits(date_time.substr(11, 2)) && date_time[13] == ':' &&
                      IsDigits(date_time.substr(14, 2)) && date_time[16] == ':' && IsDigits(date_time.substr(17, 2));
  if (!shaped) return Status::Corruption(fmt::format("dateTime: '{}' is not YYYY-MM-DDTHH:MM:SS", date_time.substr(0, 40)));
  out = date_only ? std::string(date_time.substr(0, 10)) : fmt::format("{}Z", date_time.substr(0, 19));
  return Status::Ok();
}

// {"dateTime","timeZone"}: raw values; normalized once isAllDay is known.
struct RawTime {
  std::string date_time;
  std::string time_zone;
};

Status ReadTime(value& v, RawTime& out) {
  return detail::ForEachNullableObjectField(v, [&out](std::string_view key, value& field) {
    if (key == "dateTime") return detail::ReadString(field, out.date_time);
    if (key == "timeZone") return detail::ReadString(field, out.time_zone);
    return Status::Ok();
  });
}

Status FinishTime(const RawTime& raw, bool date_only, std::string& out) {
  if (raw.date_time.empty()) return Status::Corruption("dateTime: missing");
  if (!raw.time_zone.empty() && raw.time_zone != "UTC" && raw.time_zone != "Etc/UTC") {
    return Status::Corruption(fmt::format("timeZone: '{}' is not UTC", raw.time_zone.substr(0, 64)));
  }
  return NormalizeDateTime(raw.date_time, date_only, out);
}

std::string NormalizeResponse(std::string_view response) {
  if (response == "accepted" || response == "organizer") return "accepted";
  if (response == "declined") return "declined";
  if (response == "tentativelyAccepted") return "tentative";
  return "none";
}

Status ReadAttendee(value& element, MeetingAttendee& attendee) {
  return detail::ForEachObjectField(element, [&attendee](std::string_view key, value& v) {
    if (key == "emailAddress") {
      return detail::ForEachNullableObjectField(v, [&attendee](std::string_view k, value& f) {
        if (k == "address") return detail::ReadString(f, attendee.address);
        if (k == "name") return detail::ReadString(f, attendee.name);
        return Status::Ok();
      });
    }
    if (key == "status") {
      std::string response;
      Status s = detail::ForEachNullableObjectField(v, [&response](std::string_view k, value& f) {
        return k == "response" ? detail::ReadString(f, response) : Status::Ok();
      });
      if (s.ok()) attendee.response = NormalizeResponse(response);
      return s;
    }
    return Status::Ok();
  });
}

Status ReadEvent(value& element, Meeting& meeting) {
  od::object object;
  if (auto error = element.get_object().get(object)) return JsonError("", error, "object");
  bool has_id = false;
  RawTime start, end;
  Status s = detail::ForEachField(object, [&](std::string_view key, value& v) {
    if (key == "id") {
      has_id = true;
      return detail::ReadRequiredString(v, meeting.source_id);
    }
    if (key == "iCalUId") return detail::ReadString(v, meeting.ical_uid);
    if (key == "subject") return detail::ReadString(v, meeting.subject);
    if (key == "location") {
      return detail::ForEachNullableObjectField(v, [&meeting](std::string_view k, value& f) {
        return k == "displayName" ? detail::ReadString(f, meeting.location) : Status::Ok();
      });
    }
    if (key == "start") return ReadTime(v, start);
    if (key == "end") return ReadTime(v, end);
    if (key == "isAllDay") return detail::ReadBool(v, meeting.all_day);
    if (key == "isCancelled") return detail::ReadBool(v, meeting.cancelled);
    if (key == "organizer") {
      Participant p;
      Status r = detail::ReadRecipient(v, p);
      meeting.organizer.address = std::move(p.address);
      meeting.organizer.name = std::move(p.name);
      meeting.organizer.organizer = true;
      meeting.organizer.response = "accepted";
      return r;
    }
    if (key == "attendees") {
      bool is_null = false;
      if (Status n = detail::CheckNull(v, &is_null); !n.ok() || is_null) return n;
      return detail::ForEachElement(v, [&meeting](value& a) {
        MeetingAttendee attendee;
        if (Status r = ReadAttendee(a, attendee); !r.ok()) return r;
        meeting.attendees.push_back(std::move(attendee));
        return Status::Ok();
      });
    }
    if (key == "@removed") meeting.removed = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_id) return Status::Corruption("id: missing");
  if (meeting.removed) {
    Meeting tombstone;
    tombstone.source_id = std::move(meeting.source_id);
    tombstone.removed = true;
    meeting = std::move(tombstone);
    return Status::Ok();
  }
  if (meeting.ical_uid.empty()) return Status::Corruption("iCalUId: missing");
  if (Status t = FinishTime(start, meeting.all_day, meeting.start); !t.ok()) return Nest("start", t);
  if (Status t = FinishTime(end, meeting.all_day, meeting.end); !t.ok()) return Nest("end", t);
  for (MeetingAttendee& a : meeting.attendees) {
    if (!meeting.organizer.address.empty() && a.address == meeting.organizer.address) a.organizer = true;
  }
  return Status::Ok();
}

Status ReadLink(value& v, std::string_view key, std::string& out) {
  std::string_view link;
  if (auto error = v.get_string().get(link)) return JsonError(key, error, "string");
  if (link.empty()) return Status::Corruption(fmt::format("{}: empty", key));
  out.assign(link);
  return Status::Ok();
}

Status ParseDeltaInto(std::string_view body, CalendarDeltaPage& page) {
  bool has_value = false, has_next = false, has_delta = false;
  Status s = detail::ForEachTopLevelField(body, [&](std::string_view key, value& v) {
    if (key == "value") {
      has_value = true;
      return NestOnError("value", detail::ForEachElement(v, [&page](value& element) {
                    Meeting meeting;
                    if (Status r = ReadEvent(element, meeting); !r.ok()) return r;
                    page.meetings.push_back(std::move(meeting));
                    return Status::Ok();
                  }));
    }
    if (key == "@odata.nextLink") {
      has_next = true;
      return ReadLink(v, key, page.next_link);
    }
    if (key == "@odata.deltaLink") {
      has_delta = true;
      return ReadLink(v, key, page.delta_link);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_value) return Status::Corruption("value: missing");
  if (has_next == has_delta) {
    return Status::Corruption(has_next ? "both @odata.nextLink and @odata.deltaLink are present"
                                       : "neither @odata.nextLink nor @odata.deltaLink is present");
  }
  return Status::Ok();
}

Status ReadScheduleItem(value& element, ScheduleResult& result) {
  std::string status;
  RawTime start, end;
  Status s = detail::ForEachObjectField(element, [&](std::string_view key, value& v) {
    if (key == "status") return detail::ReadString(v, status);
    if (key == "start") return ReadTime(v, start);
    if (key == "end") return ReadTime(v, end);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (status == "free") return Status::Ok();
  BusySlot slot;
  slot.status = status.empty() || status == "unknown" ? "busy" : status;
  if (Status t = FinishTime(start, false, slot.start); !t.ok()) return Nest("start", t);
  if (Status t = FinishTime(end, false, slot.end); !t.ok()) return Nest("end", t);
  result.busy.push_back(std::move(slot));
  return Status::Ok();
}

Status ReadSchedule(value& element, ScheduleResult& result) {
  bool has_error = false;
  Status s = detail::ForEachObjectField(element, [&](std::string_view key, value& v) {
    if (key == "scheduleId") return detail::ReadString(v, result.schedule_id);
    if (key == "scheduleItems") {
      bool is_null = false;
      if (Status n = detail::CheckNull(v, &is_null); !n.ok() || is_null) return n;
      return detail::ForEachElement(v, [&result](value& item) { return ReadScheduleItem(item, result); });
    }
    if (key == "error") {
      bool is_null = false;
      if (Status n = detail::CheckNull(v, &is_null); !n.ok() || is_null) return n;
      has_error = true;
      std::string code;
      Status r = detail::ForEachObjectField(v, [&](std::string_view k, value& f) {
        if (k == "message") return detail::ReadString(f, result.error);
        if (k == "responseCode") return detail::ReadString(f, code);
        return Status::Ok();
      });
      if (r.ok() && !code.empty()) result.error = fmt::format("{}: {}", code, result.error);
      return r;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (result.schedule_id.empty()) return Status::Corruption("scheduleId: missing");
  if (has_error && result.error.empty()) result.error = "error without a message";
  return Status::Ok();
}

}  // namespace

Result<CalendarDeltaPage> ParseCalendarDeltaPage(std::string_view body) {
  CalendarDeltaPage page;
  if (Status s = ParseDeltaInto(body, page); !s.ok()) return detail::Describe(kDeltaWhat, s);
  return page;
}

Result<std::vector<ScheduleResult>> ParseGetScheduleResponse(std::string_view body) {
  std::vector<ScheduleResult> results;
  bool has_value = false;
  Status s = detail::ForEachTopLevelField(body, [&](std::string_view key, value& v) {
    if (key != "value") return Status::Ok();
    has_value = true;
    return NestOnError("value", detail::ForEachElement(v, [&results](value& element) {
                  ScheduleResult result;
                  if (Status r = ReadSchedule(element, result); !r.ok()) return r;
                  results.push_back(std::move(result));
                  return Status::Ok();
                }));
  });
  if (s.ok() && !has_value) s = Status::Corruption("value: missing");
  if (!s.ok()) return detail::Describe(kScheduleWhat, s);
  return results;
}

}  // namespace crmsync::graph

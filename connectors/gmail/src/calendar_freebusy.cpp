// Google Calendar freeBusy response -> busy slots per calendar.
#include "crmsync/gmail/calendar.hpp"
#include "json_support.hpp"

#include <fmt/format.h>

namespace crmsync::gmail {
namespace {

namespace od = detail::od;

constexpr std::string_view kWhat = "Google Calendar freeBusy response";

Status ReadBusy(od::value& element, BusySlot& slot) {
  std::string start, end;
  Status s = detail::ForEachObjectField(element, [&](std::string_view key, od::value& v) {
    if (key == "start") return detail::ReadString(v, start);
    if (key == "end") return detail::ReadString(v, end);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  slot.start = Rfc3339ToUtc(start);
  if (slot.start.empty()) return Status::Corruption(fmt::format("start: '{}' is not RFC 3339", start.substr(0, 40)));
  slot.end = Rfc3339ToUtc(end);
  if (slot.end.empty()) return Status::Corruption(fmt::format("end: '{}' is not RFC 3339", end.substr(0, 40)));
  return Status::Ok();
}

Status ReadCalendar(od::value& value, FreeBusyCalendar& calendar) {
  return detail::ForEachObjectField(value, [&calendar](std::string_view key, od::value& v) {
    if (key == "busy") {
      return detail::ForEachElement(v, [&calendar](od::value& element) {
        BusySlot slot;
        if (Status r = ReadBusy(element, slot); !r.ok()) return r;
        calendar.busy.push_back(std::move(slot));
        return Status::Ok();
      });
    }
    if (key == "errors") {
      return detail::ForEachElement(v, [&calendar](od::value& element) {
        std::string reason;
        Status r = detail::ForEachObjectField(element, [&reason](std::string_view k, od::value& f) {
          return k == "reason" ? detail::ReadString(f, reason) : Status::Ok();
        });
        if (r.ok()) calendar.errors.push_back(reason.empty() ? std::string("unknown") : std::move(reason));
        return r;
      });
    }
    return Status::Ok();
  });
}

}  // namespace

Result<std::vector<FreeBusyCalendar>> ParseFreeBusyResponse(std::string_view body) {
  std::vector<FreeBusyCalendar> calendars;
  bool has_calendars = false;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key != "calendars") return Status::Ok();
    has_calendars = true;
    return detail::ForEachObjectField(v, [&calendars](std::string_view id, od::value& entry) {
      FreeBusyCalendar calendar;
      calendar.id.assign(id);
      if (Status r = ReadCalendar(entry, calendar); !r.ok()) return r;
      calendars.push_back(std::move(calendar));
      return Status::Ok();
    });
  });
  if (s.ok() && !has_calendars) s = Status::Corruption("calendars: missing");
  if (!s.ok()) return detail::Describe(kWhat, s);
  return calendars;
}

}  // namespace crmsync::gmail

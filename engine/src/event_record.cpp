#include "crmsync/engine/event_record.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "crmsync/engine/message_key.hpp"
#include "crmsync/engine/text.hpp"

namespace crmsync::engine {
namespace {

bool MatchesShape(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return false;
  }
  return true;
}

bool IsUtcDateTime(std::string_view text) { return MatchesShape(text, "dddd-dd-ddTdd:dd:ddZ"); }
bool IsDate(std::string_view text) { return MatchesShape(text, "dddd-dd-dd"); }

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// YYYY-MM-DD minus one day (the calendars' exclusive all-day end).
std::string PreviousDay(std::string_view date) {
  int y = ToInt(date.substr(0, 4)), m = ToInt(date.substr(5, 2)), d = ToInt(date.substr(8, 2));
  if (--d == 0) {
    if (--m == 0) {
      m = 12;
      --y;
    }
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    d = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  }
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

Status CheckSlot(const BusySlot& slot) {
  if (!IsUtcDateTime(slot.start)) {
    return Status::InvalidArgument(fmt::format("busy slot start: '{}' is not YYYY-MM-DDTHH:MM:SSZ", slot.start.substr(0, 40)));
  }
  if (!IsUtcDateTime(slot.end)) {
    return Status::InvalidArgument(fmt::format("busy slot end: '{}' is not YYYY-MM-DDTHH:MM:SSZ", slot.end.substr(0, 40)));
  }
  if (slot.end <= slot.start) return Status::InvalidArgument(fmt::format("busy slot end: {} is not after {}", slot.end, slot.start));
  return Status::Ok();
}

}  // namespace

std::string MeetingKey(std::string_view ical_uid) {
  if (ical_uid.empty()) return {};
  return NormalizeMessageId(fmt::format("ical:{}", ical_uid));
}

std::string BusySlotKey(std::string_view user_address, const BusySlot& slot) {
  return NormalizeMessageId(fmt::format("busy:{}:{}/{}", AsciiLower(user_address), slot.start, slot.end));
}

Result<salesforce::UpsertRecord> BuildMeetingEventRecord(const Meeting& meeting, const std::string& who_id,
                                                         const std::string& owner_id) {
  salesforce::UpsertRecord record;
  record.external_id = MeetingKey(meeting.ical_uid);
  if (record.external_id.empty()) {
    return Status::InvalidArgument(fmt::format("meeting {}: iCalUId is empty", meeting.source_id.substr(0, 80)));
  }
  std::string start, end, activity_date;
  if (meeting.all_day) {
    if (!IsDate(meeting.start) || !IsDate(meeting.end) || meeting.end <= meeting.start) {
      return Status::InvalidArgument(fmt::format("meeting {}: all-day start/end '{}'/'{}' are not ordered YYYY-MM-DD dates",
                                                 meeting.source_id.substr(0, 80), meeting.start.substr(0, 40),
                                                 meeting.end.substr(0, 40)));
    }
    start = meeting.start + "T00:00:00Z";
    end = PreviousDay(meeting.end) + "T00:00:00Z";
    activity_date = meeting.start;
  } else {
    if (!IsUtcDateTime(meeting.start) || !IsUtcDateTime(meeting.end) || meeting.end < meeting.start) {
      return Status::InvalidArgument(fmt::format("meeting {}: start/end '{}'/'{}' are not ordered UTC times",
                                                 meeting.source_id.substr(0, 80), meeting.start.substr(0, 40),
                                                 meeting.end.substr(0, 40)));
    }
    start = meeting.start;
    end = meeting.end;
  }
  std::string subject;
  if (meeting.cancelled) subject = kCanceledPrefix;
  subject += meeting.subject;
  auto& f = record.fields;
  f.push_back({"Subject", std::string(TruncateCodePoints(subject, kEventSubjectMaxChars))});
  f.push_back({"StartDateTime", start});
  f.push_back({"EndDateTime", end});
  f.push_back({"IsAllDayEvent", meeting.all_day ? "true" : "false", false, false, /*literal=*/true});
  if (!activity_date.empty()) f.push_back({"ActivityDate", activity_date});
  if (meeting.location.empty()) {
    f.push_back({"Location", "", /*null=*/true});
  } else {
    f.push_back({"Location", std::string(TruncateCodePoints(meeting.location, kEventLocationMaxChars))});
  }
  f.push_back({"ShowAs", meeting.cancelled ? "Free" : "Busy"});
  if (!who_id.empty()) f.push_back({"WhoId", who_id});
  if (!owner_id.empty()) f.push_back({"OwnerId", owner_id});
  return record;
}

Result<salesforce::UpsertRecord> BuildBusyEventRecord(std::string_view user_address, const BusySlot& slot,
                                                      const std::string& owner_id) {
  if (Status s = CheckSlot(slot); !s.ok()) return s;
  if (user_address.empty()) return Status::InvalidArgument("busy slot user address: empty");
  salesforce::UpsertRecord record;
  record.external_id = BusySlotKey(user_address, slot);
  auto& f = record.fields;
  f.push_back({"Subject", std::string(kBusySubject)});
  f.push_back({"StartDateTime", slot.start});
  f.push_back({"EndDateTime", slot.end});
  f.push_back({"ShowAs", "Busy"});
  if (!owner_id.empty()) f.push_back({"OwnerId", owner_id});
  return record;
}

Result<salesforce::UpsertRecord> BuildResourceAbsenceRecord(std::string_view user_address, const BusySlot& slot,
                                                            const std::string& service_resource_id,
                                                            std::string_view type) {
  if (Status s = CheckSlot(slot); !s.ok()) return s;
  if (user_address.empty()) return Status::InvalidArgument("busy slot user address: empty");
  if (service_resource_id.empty()) return Status::InvalidArgument("ResourceAbsence ResourceId: empty");
  salesforce::UpsertRecord record;
  record.external_id = BusySlotKey(user_address, slot);
  auto& f = record.fields;
  f.push_back({"ResourceId", service_resource_id});
  f.push_back({"Start", slot.start});
  f.push_back({"End", slot.end});
  f.push_back({"Type", std::string(type)});
  return record;
}

}  // namespace crmsync::engine

// Salesforce records for calendars (issue items 6 and 7): a Meeting becomes
// an Event; a busy slot becomes an Event (ShowAs Busy, neutral subject) or,
// where the org has Salesforce Scheduler, a ResourceAbsence. Written by the
// run's calendar pass (engine/src/calendar_run.cpp, freebusy_run.cpp).
//
// Keys (Crmsync_Key__c, like Tasks):
// - meeting: "ical:" + iCalUId, lower-cased, hashed to "sha256:<hex>" when
//   longer than 255 characters or not printable ASCII (NormalizeMessageId).
//   Every attendee's copy of a meeting has the same iCalUId and so writes the
//   same record.
// - busy slot: "busy:" + lower-cased user address + ":" + start + "/" + end.
//
// Cancellation: a cancelled meeting keeps its record (the timeline shows it
// was planned) with Subject "Canceled: <subject>" and ShowAs Free, so it no
// longer blocks time. A delta tombstone (Meeting::removed) carries no
// iCalUId: the caller maps its source id to the key it wrote and deletes or
// cancels that record; it is never passed here.
#pragma once

#include <string>
#include <string_view>

#include "crmsync/core/meeting.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::engine {

inline constexpr const char* kEventSobject = "Event";
inline constexpr const char* kResourceAbsenceSobject = "ResourceAbsence";
inline constexpr std::size_t kEventSubjectMaxChars = 255;
inline constexpr std::size_t kEventLocationMaxChars = 255;
inline constexpr std::string_view kCanceledPrefix = "Canceled: ";
inline constexpr std::string_view kBusySubject = "Busy";
inline constexpr std::string_view kDefaultAbsenceType = "Meeting";

// "" when ical_uid is empty (nothing to key on: skip the meeting).
std::string MeetingKey(std::string_view ical_uid);
std::string BusySlotKey(std::string_view user_address, const BusySlot& slot);

// Subject (prefixed when cancelled; truncated to 255 code points after the
// prefix), StartDateTime, EndDateTime, IsAllDayEvent, Location (≤ 255),
// ShowAs (Busy, or Free when cancelled), WhoId, OwnerId. All-day meetings:
// StartDateTime is the first day's midnight UTC, EndDateTime the last day's
// (Salesforce's end of an all-day event is inclusive, the calendars' end
// date exclusive), ActivityDate the first day. kInvalidArgument naming the
// field when the key, start or end is missing or unreadable.
Result<salesforce::UpsertRecord> BuildMeetingEventRecord(const Meeting& meeting, const std::string& who_id,
                                                         const std::string& owner_id);

// Subject "Busy", ShowAs Busy, StartDateTime, EndDateTime, OwnerId; nothing
// else is known or sent.
Result<salesforce::UpsertRecord> BuildBusyEventRecord(std::string_view user_address, const BusySlot& slot,
                                                      const std::string& owner_id);

// ResourceId (the user's ServiceResource), Start, End, Type.
Result<salesforce::UpsertRecord> BuildResourceAbsenceRecord(std::string_view user_address, const BusySlot& slot,
                                                            const std::string& service_resource_id,
                                                            std::string_view type = kDefaultAbsenceType);

}  // namespace crmsync::engine

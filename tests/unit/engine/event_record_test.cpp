#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "crmsync/engine/event_record.hpp"
#include "crmsync/engine/text.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

const salesforce::Field* FindField(const salesforce::UpsertRecord& record, std::string_view name) {
  for (const auto& f : record.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Value(const salesforce::UpsertRecord& record, std::string_view name) {
  const salesforce::Field* f = FindField(record, name);
  return f ? f->value : std::string("<absent>");
}

Meeting SampleMeeting() {
  Meeting m;
  m.source_id = "EV1";
  m.ical_uid = "040000008200E00074C5B7101A82E008";
  m.subject = "Quarterly review";
  m.location = "Room 1";
  m.start = "2026-05-01T10:00:00Z";
  m.end = "2026-05-01T11:00:00Z";
  return m;
}

}  // namespace

TEST_CASE("meeting keys come from the iCalUId, shared by every copy", "[engine][event]") {
  CHECK(MeetingKey("040000008200E00074C5B7101A82E008") == "ical:040000008200e00074c5b7101a82e008");
  CHECK(MeetingKey("abc@google.com") == MeetingKey("ABC@google.com"));
  CHECK(MeetingKey("").empty());
  const std::string long_uid(300, 'x');
  const std::string hashed = MeetingKey(long_uid);
  CHECK(hashed.rfind("sha256:", 0) == 0);
  CHECK(hashed.size() <= 255);
  CHECK(hashed != MeetingKey(long_uid + "y"));
  CHECK(MeetingKey("uid \xC3\xA9").rfind("sha256:", 0) == 0);
}

TEST_CASE("meeting -> Event record", "[engine][event]") {
  auto record = BuildMeetingEventRecord(SampleMeeting(), "003AAA", "005BBB");
  REQUIRE(record.ok());
  CHECK(record->external_id == "ical:040000008200e00074c5b7101a82e008");
  CHECK(Value(*record, "Subject") == "Quarterly review");
  CHECK(Value(*record, "StartDateTime") == "2026-05-01T10:00:00Z");
  CHECK(Value(*record, "EndDateTime") == "2026-05-01T11:00:00Z");
  CHECK(Value(*record, "Location") == "Room 1");
  CHECK(Value(*record, "WhoId") == "003AAA");
  CHECK(Value(*record, "OwnerId") == "005BBB");
  CHECK(Value(*record, "ShowAs") == "Busy");
  REQUIRE(FindField(*record, "IsAllDayEvent"));
  CHECK(FindField(*record, "IsAllDayEvent")->literal);
  CHECK(Value(*record, "IsAllDayEvent") == "false");
  CHECK(FindField(*record, "ActivityDate") == nullptr);

  const std::array<salesforce::UpsertRecord, 1> records = {*record};
  const std::string body = salesforce::BuildUpsertBody(kEventSobject, "Crmsync_Key__c", records);
  CHECK_THAT(body, Catch::Matchers::Contains(R"("IsAllDayEvent":false)"));
  CHECK_THAT(body, Catch::Matchers::Contains(R"("type":"Event")"));
}

TEST_CASE("meeting without who or owner, and without location", "[engine][event]") {
  Meeting m = SampleMeeting();
  m.location.clear();
  auto record = BuildMeetingEventRecord(m, "", "");
  REQUIRE(record.ok());
  CHECK(FindField(*record, "WhoId") == nullptr);
  CHECK(FindField(*record, "OwnerId") == nullptr);
  REQUIRE(FindField(*record, "Location"));
  CHECK(FindField(*record, "Location")->null);
}

TEST_CASE("cancelled meeting keeps its record, subject prefixed, time freed", "[engine][event]") {
  Meeting m = SampleMeeting();
  m.cancelled = true;
  auto record = BuildMeetingEventRecord(m, "003AAA", "005BBB");
  REQUIRE(record.ok());
  CHECK(Value(*record, "Subject") == "Canceled: Quarterly review");
  CHECK(Value(*record, "ShowAs") == "Free");
  CHECK(record->external_id == BuildMeetingEventRecord(SampleMeeting(), "", "")->external_id);
}

TEST_CASE("subject and location truncate at code points, with the prefix", "[engine][event]") {
  Meeting m = SampleMeeting();
  std::string emoji_subject;
  for (int i = 0; i < 300; ++i) emoji_subject += "\xF0\x9F\x98\x80";   // 300 x U+1F600
  m.subject = emoji_subject;
  m.location = std::string(400, 'L');
  auto record = BuildMeetingEventRecord(m, "", "");
  REQUIRE(record.ok());
  const std::string subject = Value(*record, "Subject");
  CHECK(CountCodePoints(subject) == 255);
  CHECK(subject.size() == 255 * 4);
  CHECK(Value(*record, "Location").size() == 255);

  m.cancelled = true;
  auto cancelled = BuildMeetingEventRecord(m, "", "");
  REQUIRE(cancelled.ok());
  const std::string prefixed = Value(*cancelled, "Subject");
  CHECK(prefixed.rfind("Canceled: ", 0) == 0);
  CHECK(CountCodePoints(prefixed) == 255);
  CHECK(prefixed.size() == 10 + 245 * 4);
}

TEST_CASE("all-day meeting: inclusive end day, midnight times, ActivityDate", "[engine][event]") {
  Meeting m = SampleMeeting();
  m.all_day = true;
  m.start = "2024-02-28";
  m.end = "2024-03-01";   // exclusive: the 28th and the 29th (leap year)
  auto record = BuildMeetingEventRecord(m, "", "");
  REQUIRE(record.ok());
  CHECK(Value(*record, "StartDateTime") == "2024-02-28T00:00:00Z");
  CHECK(Value(*record, "EndDateTime") == "2024-02-29T00:00:00Z");
  CHECK(Value(*record, "ActivityDate") == "2024-02-28");
  CHECK(Value(*record, "IsAllDayEvent") == "true");

  m.start = "2026-12-31";
  m.end = "2027-01-01";
  auto new_year = BuildMeetingEventRecord(m, "", "");
  REQUIRE(new_year.ok());
  CHECK(Value(*new_year, "EndDateTime") == "2026-12-31T00:00:00Z");
}

TEST_CASE("meeting records refuse missing keys and unreadable times", "[engine][event]") {
  Meeting no_uid = SampleMeeting();
  no_uid.ical_uid.clear();
  auto r1 = BuildMeetingEventRecord(no_uid, "", "");
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(r1.status().message(), Catch::Matchers::Contains("iCalUId"));

  Meeting bad_time = SampleMeeting();
  bad_time.start = "2026-05-01T10:00:00+02:00";
  auto r2 = BuildMeetingEventRecord(bad_time, "", "");
  REQUIRE_FALSE(r2.ok());
  CHECK_THAT(r2.status().message(), Catch::Matchers::Contains("EV1"));

  Meeting reversed = SampleMeeting();
  std::swap(reversed.start, reversed.end);
  CHECK_FALSE(BuildMeetingEventRecord(reversed, "", "").ok());

  Meeting all_day_times = SampleMeeting();
  all_day_times.all_day = true;   // but times, not dates
  CHECK_FALSE(BuildMeetingEventRecord(all_day_times, "", "").ok());
}

TEST_CASE("busy slot -> neutral Event", "[engine][event]") {
  BusySlot slot{"2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z", "busy"};
  auto record = BuildBusyEventRecord("Alice@Contoso.com", slot, "005BBB");
  REQUIRE(record.ok());
  CHECK(record->external_id == "busy:alice@contoso.com:2026-05-01t09:00:00z/2026-05-01t10:00:00z");
  CHECK(Value(*record, "Subject") == "Busy");
  CHECK(Value(*record, "ShowAs") == "Busy");
  CHECK(Value(*record, "StartDateTime") == "2026-05-01T09:00:00Z");
  CHECK(Value(*record, "EndDateTime") == "2026-05-01T10:00:00Z");
  CHECK(Value(*record, "OwnerId") == "005BBB");
  CHECK(record->fields.size() == 5);   // nothing else leaks in
  CHECK(FindField(*record, "Location") == nullptr);
  CHECK(FindField(*record, "WhoId") == nullptr);

  BusySlot other{"2026-05-01T09:00:00Z", "2026-05-01T10:30:00Z", "busy"};
  CHECK(BusySlotKey("alice@contoso.com", other) != record->external_id);
  CHECK(BusySlotKey("bob@contoso.com", slot) != record->external_id);
}

TEST_CASE("busy slot -> ResourceAbsence", "[engine][event]") {
  BusySlot slot{"2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z", "oof"};
  auto record = BuildResourceAbsenceRecord("alice@contoso.com", slot, "0HnAAA");
  REQUIRE(record.ok());
  CHECK(record->external_id == BusySlotKey("alice@contoso.com", slot));
  CHECK(Value(*record, "ResourceId") == "0HnAAA");
  CHECK(Value(*record, "Start") == "2026-05-01T09:00:00Z");
  CHECK(Value(*record, "End") == "2026-05-01T10:00:00Z");
  CHECK(Value(*record, "Type") == "Meeting");
  CHECK(record->fields.size() == 4);

  auto no_resource = BuildResourceAbsenceRecord("alice@contoso.com", slot, "");
  REQUIRE_FALSE(no_resource.ok());
  CHECK_THAT(no_resource.status().message(), Catch::Matchers::Contains("ResourceId"));
}

TEST_CASE("busy slots refuse bad times and empty users", "[engine][event]") {
  const std::string owner = "005BBB";
  CHECK_FALSE(BuildBusyEventRecord("a@x", BusySlot{"2026-05-01T09:00:00", "2026-05-01T10:00:00Z", "busy"}, owner).ok());
  CHECK_FALSE(BuildBusyEventRecord("a@x", BusySlot{"2026-05-01T10:00:00Z", "2026-05-01T10:00:00Z", "busy"}, owner).ok());
  CHECK_FALSE(BuildBusyEventRecord("", BusySlot{"2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z", "busy"}, owner).ok());
  auto bad = BuildResourceAbsenceRecord("a@x", BusySlot{"soon", "2026-05-01T10:00:00Z", "busy"}, "0Hn");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::Matchers::Contains("start: 'soon'"));
}

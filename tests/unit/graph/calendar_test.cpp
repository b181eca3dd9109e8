#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crmsync/graph/calendar.hpp"

using crmsync::StatusCode;
using namespace crmsync::graph;

namespace {

const char* kDeltaPage = R"js({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/users/u1/calendarView/delta?$skiptoken=S1",
  "value": [
    {"id": "EV1", "iCalUId": "040000008200E0", "subject": "Kick-off \u00e9t\u00e9 \ud83d\ude80",
     "location": {"displayName": "Room 1"},
     "start": {"dateTime": "2026-05-01T10:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-05-01T11:00:00.0000000", "timeZone": "UTC"},
     "isAllDay": false, "isCancelled": false,
     "organizer": {"emailAddress": {"name": "Alice", "address": "alice@contoso.com"}},
     "attendees": [
       {"type": "required", "status": {"response": "accepted", "time": "2026-04-01T00:00:00Z"},
        "emailAddress": {"name": "Bob", "address": "Bob@Fabrikam.example"}},
       {"type": "optional", "status": {"response": "tentativelyAccepted"},
        "emailAddress": {"name": "Carol", "address": "carol@fabrikam.example"}},
       {"type": "required", "status": {"response": "notResponded"},
        "emailAddress": {"name": "Alice", "address": "alice@contoso.com"}}]},
    {"id": "EV2", "iCalUId": "UID-2", "subject": "Offsite", "location": null,
     "start": {"dateTime": "2026-05-04T00:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-05-06T00:00:00.0000000", "timeZone": "UTC"},
     "isAllDay": true, "isCancelled": true, "organizer": null, "attendees": null},
    {"@odata.type": "#microsoft.graph.event", "id": "EV3", "@removed": {"reason": "deleted"}}
  ]})js";

}  // namespace

TEST_CASE("calendarView delta page: events, all-day, cancelled and removed", "[graph][calendar]") {
  auto page = ParseCalendarDeltaPage(kDeltaPage);
  REQUIRE(page.ok());
  CHECK(page->next_link == "https://graph.microsoft.com/v1.0/users/u1/calendarView/delta?$skiptoken=S1");
  CHECK(page->delta_link.empty());
  REQUIRE(page->meetings.size() == 3);

  const crmsync::Meeting& first = page->meetings[0];
  CHECK(first.source_id == "EV1");
  CHECK(first.ical_uid == "040000008200E0");
  CHECK(first.subject == "Kick-off \xC3\xA9t\xC3\xA9 \xF0\x9F\x9A\x80");
  CHECK(first.location == "Room 1");
  CHECK(first.start == "2026-05-01T10:00:00Z");
  CHECK(first.end == "2026-05-01T11:00:00Z");
  CHECK_FALSE(first.all_day);
  CHECK_FALSE(first.cancelled);
  CHECK_FALSE(first.removed);
  CHECK(first.organizer.address == "alice@contoso.com");
  CHECK(first.organizer.organizer);
  REQUIRE(first.attendees.size() == 3);
  CHECK(first.attendees[0].address == "Bob@Fabrikam.example");
  CHECK(first.attendees[0].response == "accepted");
  CHECK(first.attendees[1].response == "tentative");
  CHECK(first.attendees[2].response == "none");
  CHECK(first.attendees[2].organizer);
  CHECK_FALSE(first.attendees[0].organizer);

  const crmsync::Meeting& second = page->meetings[1];
  CHECK(second.all_day);
  CHECK(second.cancelled);
  CHECK(second.start == "2026-05-04");
  CHECK(second.end == "2026-05-06");
  CHECK(second.location.empty());
  CHECK(second.attendees.empty());

  const crmsync::Meeting& third = page->meetings[2];
  CHECK(third.removed);
  CHECK(third.source_id == "EV3");
  CHECK(third.ical_uid.empty());
}

TEST_CASE("calendarView delta page: last page carries the deltaLink", "[graph][calendar]") {
  auto page = ParseCalendarDeltaPage(R"({"value":[],"@odata.deltaLink":"https://g/v1.0/x?$deltatoken=D"})");
  REQUIRE(page.ok());
  CHECK(page->delta_link == "https://g/v1.0/x?$deltatoken=D");
  CHECK(page->meetings.empty());
}

TEST_CASE("calendarView delta page: malformed input is kCorruption naming the field", "[graph][calendar]") {
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "empty body"},
      {R"({"value":[{"id":"A","iCalUId":"U")", "document"},  // truncated
      {R"({"value":[]})", "neither @odata.nextLink nor @odata.deltaLink"},
      {R"({"value":[],"@odata.nextLink":"a","@odata.deltaLink":"b"})", "both"},
      {R"({"@odata.deltaLink":"d"})", "value: missing"},
      {R"({"value":[{"iCalUId":"U"}],"@odata.deltaLink":"d"})", "value[0].id: missing"},
      {R"({"value":[{"id":"A"}],"@odata.deltaLink":"d"})", "value[0].iCalUId: missing"},
      {R"({"value":[{"id":"A","iCalUId":"U","start":{"dateTime":"2026-05-01T10:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-05-01T11:00:00"}}],"@odata.deltaLink":"d"})",
       "value[0].start.timeZone: 'Pacific Standard Time' is not UTC"},
      {R"({"value":[{"id":"A","iCalUId":"U","start":{"dateTime":"tomorrow"},"end":{"dateTime":"2026-05-01T11:00:00"}}],"@odata.deltaLink":"d"})",
       "value[0].start.dateTime"},
      {R"({"value":[{"id":"A","iCalUId":"U","end":{"dateTime":"2026-05-01T11:00:00"}}],"@odata.deltaLink":"d"})",
       "value[0].start.dateTime: missing"},
      {R"({"value":[{"id":5}],"@odata.deltaLink":"d"})", "value[0].id: expected string"},
      {R"({"value":[{"id":"A","iCalUId":"U","attendees":{}}],"@odata.deltaLink":"d"})", "value[0].attendees"},
      {"{\"value\":[{\"id\":\"A\",\"iCalUId\":\"U\",\"subject\":\"bad \xC3\x28\"}],\"@odata.deltaLink\":\"d\"}", "document"},
      {R"({"value":[],"@odata.deltaLink":"d"} trailing)", "document"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto page = ParseCalendarDeltaPage(c.body);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == StatusCode::kCorruption);
    CHECK_THAT(page.status().message(), Catch::Matchers::Contains("Graph calendarView delta page"));
    CHECK_THAT(page.status().message(), Catch::Matchers::Contains(c.expected));
  }
}

TEST_CASE("calendarView delta URL: window on the first call only", "[graph][calendar]") {
  CHECK(InitialCalendarDeltaUrl("https://graph.example/", "alice@contoso.com", "2026-05-01T00:00:00Z",
                                "2026-06-01T00:00:00Z") ==
        "https://graph.example/v1.0/users/alice@contoso.com/calendarView/delta?"
        "startDateTime=2026-05-01T00%3A00%3A00Z&endDateTime=2026-06-01T00%3A00%3A00Z");
  CHECK(GetScheduleUrl("https://graph.example", "a b") == "https://graph.example/v1.0/users/a%20b/calendar/getSchedule");
}

TEST_CASE("getSchedule body: schedules, UTC window and interval", "[graph][calendar]") {
  const std::vector<std::string> schedules = {"alice@contoso.com", "bob\"q@contoso.com"};
  auto body = BuildGetScheduleBody(schedules, "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z", 60);
  REQUIRE(body.ok());
  CHECK(*body ==
        R"({"schedules":["alice@contoso.com","bob\"q@contoso.com"],)"
        R"("startTime":{"dateTime":"2026-05-01T00:00:00","timeZone":"UTC"},)"
        R"("endTime":{"dateTime":"2026-05-02T00:00:00","timeZone":"UTC"},"availabilityViewInterval":60})");
}

TEST_CASE("getSchedule body: limits are enforced", "[graph][calendar]") {
  const std::vector<std::string> one = {"a@x"};
  const std::vector<std::string> many(kMaxSchedulesPerRequest + 1, "a@x");
  const std::vector<std::string> max(kMaxSchedulesPerRequest, "a@x");
  const std::string s = "2026-05-01T00:00:00Z", e = "2026-05-02T00:00:00Z";
  CHECK(BuildGetScheduleBody(max, s, e, 30).ok());
  CHECK(BuildGetScheduleBody(one, s, e, 5).ok());
  CHECK(BuildGetScheduleBody(one, s, e, 1440).ok());
  auto too_many = BuildGetScheduleBody(many, s, e, 30);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(too_many.status().message(), Catch::Matchers::Contains("101 given, at most 100"));
  CHECK_FALSE(BuildGetScheduleBody({}, s, e, 30).ok());
  auto small = BuildGetScheduleBody(one, s, e, 4);
  REQUIRE_FALSE(small.ok());
  CHECK_THAT(small.status().message(), Catch::Matchers::Contains("availabilityViewInterval: 4"));
  CHECK_FALSE(BuildGetScheduleBody(one, s, e, 1441).ok());
  CHECK_FALSE(BuildGetScheduleBody(one, "2026-05-01", e, 30).ok());
  CHECK_FALSE(BuildGetScheduleBody(one, s, "2026-05-02T00:00:00+02:00", 30).ok());
  CHECK_FALSE(BuildGetScheduleBody(one, e, s, 30).ok());
}

TEST_CASE("getSchedule response: busy slots per schedule, per-schedule errors", "[graph][calendar]") {
  auto results = ParseGetScheduleResponse(R"({"value":[
    {"scheduleId":"alice@contoso.com","availabilityView":"0220",
     "scheduleItems":[
       {"isPrivate":false,"status":"busy","subject":"Secret","location":"X",
        "start":{"dateTime":"2026-05-01T09:00:00.0000000","timeZone":"UTC"},
        "end":{"dateTime":"2026-05-01T10:00:00.0000000","timeZone":"UTC"}},
       {"status":"free","start":{"dateTime":"2026-05-01T11:00:00","timeZone":"UTC"},
        "end":{"dateTime":"2026-05-01T12:00:00","timeZone":"UTC"}},
       {"status":"oof","start":{"dateTime":"2026-05-01T13:00:00","timeZone":"UTC"},
        "end":{"dateTime":"2026-05-01T14:00:00","timeZone":"UTC"}}],
     "workingHours":{"daysOfWeek":["monday"]}},
    {"scheduleId":"ghost@contoso.com","availabilityView":"",
     "error":{"message":"The user could not be found.","responseCode":"ErrorMailRecipientNotFound"}}]})");
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  const ScheduleResult& alice = (*results)[0];
  CHECK(alice.schedule_id == "alice@contoso.com");
  CHECK(alice.error.empty());
  REQUIRE(alice.busy.size() == 2);
  CHECK(alice.busy[0].start == "2026-05-01T09:00:00Z");
  CHECK(alice.busy[0].end == "2026-05-01T10:00:00Z");
  CHECK(alice.busy[0].status == "busy");
  CHECK(alice.busy[1].status == "oof");
  const ScheduleResult& ghost = (*results)[1];
  CHECK(ghost.busy.empty());
  CHECK(ghost.error == "ErrorMailRecipientNotFound: The user could not be found.");
}

TEST_CASE("getSchedule response: malformed input is kCorruption", "[graph][calendar]") {
  const std::vector<std::string> bodies = {
      "", "{", R"({"value":{}})", R"({})", R"({"value":[{"availabilityView":"0"}]})",
      R"({"value":[{"scheduleId":"a","scheduleItems":[{"status":"busy","start":{"dateTime":"x"}}]}]})",
      R"({"value":[{"scheduleId":"a","scheduleItems":[{"status":"busy"}]}]})",
      "{\"value\":[{\"scheduleId\":\"\xFF\"}]}"};
  for (const std::string& body : bodies) {
    INFO(body);
    auto results = ParseGetScheduleResponse(body);
    REQUIRE_FALSE(results.ok());
    CHECK(results.status().code() == StatusCode::kCorruption);
    CHECK_THAT(results.status().message(), Catch::Matchers::Contains("Graph getSchedule response"));
  }
}

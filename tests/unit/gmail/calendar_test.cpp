#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crmsync/gmail/calendar.hpp"

using crmsync::StatusCode;
using namespace crmsync::gmail;

TEST_CASE("RFC 3339 times become UTC", "[gmail][calendar]") {
  CHECK(Rfc3339ToUtc("2026-05-01T10:00:00Z") == "2026-05-01T10:00:00Z");
  CHECK(Rfc3339ToUtc("2026-05-01T10:00:00-07:00") == "2026-05-01T17:00:00Z");
  CHECK(Rfc3339ToUtc("2026-05-01T01:30:00+02:00") == "2026-04-30T23:30:00Z");
  CHECK(Rfc3339ToUtc("2024-12-31T23:00:00.123-01:00") == "2025-01-01T00:00:00Z");
  CHECK(Rfc3339ToUtc("2024-02-28T23:00:00-02:00") == "2024-02-29T01:00:00Z");
  CHECK(Rfc3339ToUtc("2026-05-01").empty());
  CHECK(Rfc3339ToUtc("2026-05-01T10:00:00").empty());
  CHECK(Rfc3339ToUtc("2026-13-01T10:00:00Z").empty());
  CHECK(Rfc3339ToUtc("2026-05-01T10:00:00+7").empty());
  CHECK(Rfc3339ToUtc("2026-05-01T10:00:00.Z").empty());
  CHECK(Rfc3339ToUtc("").empty());
}

TEST_CASE("events URL: window on a full sync, syncToken on increments", "[gmail][calendar]") {
  CHECK(CalendarEventsUrl("https://g", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "", "", 100) ==
        "https://g/calendar/v3/calendars/primary/events?singleEvents=true&maxResults=100"
        "&timeMin=2026-05-01T00%3A00%3A00Z&timeMax=2026-06-01T00%3A00%3A00Z");
  CHECK(CalendarEventsUrl("https://g", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "tok/1", "p 2", 9999) ==
        "https://g/calendar/v3/calendars/primary/events?singleEvents=true&maxResults=2500"
        "&syncToken=tok%2F1&pageToken=p%202");
  CHECK(SyncTokenExpired(410));
  CHECK_FALSE(SyncTokenExpired(404));
}

TEST_CASE("events page: timed, all-day, cancelled and deleted events", "[gmail][calendar]") {
  auto page = ParseCalendarEventsPage(R"({
    "kind": "calendar#events", "nextSyncToken": "SYNC-2",
    "items": [
      {"id": "e1", "iCalUID": "e1@google.com", "status": "confirmed", "summary": "Demo \u00fcber \ud83d\ude00",
       "location": "HQ", "start": {"dateTime": "2026-05-01T10:00:00-07:00", "timeZone": "America/Los_Angeles"},
       "end": {"dateTime": "2026-05-01T11:00:00-07:00"},
       "organizer": {"email": "alice@acme.example", "displayName": "Alice"},
       "attendees": [
         {"email": "alice@acme.example", "organizer": true, "self": true, "responseStatus": "accepted"},
         {"email": "Bob@Customer.example", "displayName": "Bob", "responseStatus": "needsAction"},
         {"email": "carol@customer.example", "responseStatus": "tentative"}]},
      {"id": "e2", "iCalUID": "e2@google.com", "status": "cancelled", "summary": "Trip",
       "start": {"date": "2026-05-04"}, "end": {"date": "2026-05-06"}},
      {"id": "e3", "status": "cancelled"}
    ]})");
  REQUIRE(page.ok());
  CHECK(page->next_sync_token == "SYNC-2");
  CHECK(page->next_page_token.empty());
  REQUIRE(page->meetings.size() == 3);
  const crmsync::Meeting& e1 = page->meetings[0];
  CHECK(e1.source_id == "e1");
  CHECK(e1.ical_uid == "e1@google.com");
  CHECK(e1.subject == "Demo \xC3\xBC" "ber \xF0\x9F\x98\x80");
  CHECK(e1.location == "HQ");
  CHECK(e1.start == "2026-05-01T17:00:00Z");
  CHECK(e1.end == "2026-05-01T18:00:00Z");
  CHECK_FALSE(e1.all_day);
  CHECK_FALSE(e1.cancelled);
  CHECK(e1.organizer.address == "alice@acme.example");
  CHECK(e1.organizer.organizer);
  REQUIRE(e1.attendees.size() == 3);
  CHECK(e1.attendees[0].organizer);
  CHECK(e1.attendees[1].address == "Bob@Customer.example");
  CHECK(e1.attendees[1].response == "none");
  CHECK(e1.attendees[2].response == "tentative");

  const crmsync::Meeting& e2 = page->meetings[1];
  CHECK(e2.all_day);
  CHECK(e2.cancelled);
  CHECK_FALSE(e2.removed);
  CHECK(e2.start == "2026-05-04");
  CHECK(e2.end == "2026-05-06");

  const crmsync::Meeting& e3 = page->meetings[2];
  CHECK(e3.removed);
  CHECK(e3.cancelled);
  CHECK(e3.source_id == "e3");
}

TEST_CASE("events page: middle page has a page token and no items is fine", "[gmail][calendar]") {
  auto page = ParseCalendarEventsPage(R"({"nextPageToken":"P2"})");
  REQUIRE(page.ok());
  CHECK(page->next_page_token == "P2");
  CHECK(page->meetings.empty());
}

TEST_CASE("events page: malformed input is kCorruption naming the field", "[gmail][calendar]") {
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "empty body"},
      {R"({"items":[{"id":"a")", "document"},
      {R"({"items":{}})", "items: expected array"},
      {R"({"items":[{"iCalUID":"u"}]})", "items[0].id: missing"},
      {R"({"items":[{"id":"a","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}}]})", "items[0].iCalUID: missing"},
      {R"({"items":[{"id":"a","iCalUID":"u","end":{"date":"2026-05-02"}}]})", "items[0].start: missing"},
      {R"({"items":[{"id":"a","iCalUID":"u","start":{"dateTime":"soon"},"end":{"date":"2026-05-02"}}]})",
       "items[0].start.dateTime: 'soon' is not RFC 3339"},
      {R"({"items":[{"id":"a","iCalUID":"u","start":{"date":"May 1"},"end":{"date":"2026-05-02"}}]})",
       "items[0].start.date"},
      {R"({"items":[{"id":"a","iCalUID":"u","start":{},"end":{"date":"2026-05-02"}}]})",
       "items[0].start: neither dateTime nor date"},
      {R"({"items":[{"id":"a","iCalUID":"u","attendees":[1]}]})", "items[0].attendees[0]"},
      {R"({"nextPageToken":"a","nextSyncToken":"b"})", "both nextPageToken and nextSyncToken"},
      {"{\"items\":[{\"id\":\"a\",\"summary\":\"\xE2\x82\"}]}", "document"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto page = ParseCalendarEventsPage(c.body);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == StatusCode::kCorruption);
    CHECK_THAT(page.status().message(), Catch::Matchers::Contains("Google Calendar events page"));
    CHECK_THAT(page.status().message(), Catch::Matchers::Contains(c.expected));
  }
}

TEST_CASE("freeBusy body and URL", "[gmail][calendar]") {
  const std::vector<std::string> ids = {"alice@acme.example", "b\"ob@acme.example"};
  auto body = BuildFreeBusyBody(ids, "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z");
  REQUIRE(body.ok());
  CHECK(*body == R"({"timeMin":"2026-05-01T00:00:00Z","timeMax":"2026-05-02T00:00:00Z",)"
                 R"("items":[{"id":"alice@acme.example"},{"id":"b\"ob@acme.example"}]})");
  CHECK(FreeBusyUrl("https://g") == "https://g/calendar/v3/freeBusy");
  auto none = BuildFreeBusyBody({}, "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == StatusCode::kInvalidArgument);
  auto bad_time = BuildFreeBusyBody(ids, "yesterday", "2026-05-02T00:00:00Z");
  REQUIRE_FALSE(bad_time.ok());
  CHECK_THAT(bad_time.status().message(), Catch::Matchers::Contains("timeMin: 'yesterday'"));
}

TEST_CASE("freeBusy response: busy slots per calendar, per-calendar errors", "[gmail][calendar]") {
  auto calendars = ParseFreeBusyResponse(R"({"kind":"calendar#freeBusy","timeMin":"x","timeMax":"y",
    "calendars":{
      "alice@acme.example":{"busy":[{"start":"2026-05-01T09:00:00Z","end":"2026-05-01T10:00:00Z"},
                                    {"start":"2026-05-01T12:00:00+01:00","end":"2026-05-01T13:30:00+01:00"}]},
      "ghost@acme.example":{"errors":[{"domain":"global","reason":"notFound"}],"busy":[]}}})");
  REQUIRE(calendars.ok());
  REQUIRE(calendars->size() == 2);
  const FreeBusyCalendar& alice = (*calendars)[0];
  CHECK(alice.id == "alice@acme.example");
  REQUIRE(alice.busy.size() == 2);
  CHECK(alice.busy[1].start == "2026-05-01T11:00:00Z");
  CHECK(alice.busy[1].end == "2026-05-01T12:30:00Z");
  CHECK(alice.busy[1].status == "busy");
  CHECK(alice.errors.empty());
  const FreeBusyCalendar& ghost = (*calendars)[1];
  CHECK(ghost.busy.empty());
  CHECK(ghost.errors == std::vector<std::string>{"notFound"});
}

TEST_CASE("freeBusy response: malformed input is kCorruption", "[gmail][calendar]") {
  const std::vector<std::string> bodies = {
      "", "{\"calendars\":{", R"({})", R"({"calendars":[]})", R"({"calendars":{"a":{"busy":{}}}})",
      R"({"calendars":{"a":{"busy":[{"start":"x","end":"2026-05-01T10:00:00Z"}]}}})",
      R"({"calendars":{"a":{"busy":[{"start":"2026-05-01T10:00:00Z"}]}}})",
      "{\"calendars\":{\"\xC0\xAF\":{}}}"};
  for (const std::string& body : bodies) {
    INFO(body);
    auto calendars = ParseFreeBusyResponse(body);
    REQUIRE_FALSE(calendars.ok());
    CHECK(calendars.status().code() == StatusCode::kCorruption);
    CHECK_THAT(calendars.status().message(), Catch::Matchers::Contains("Google Calendar freeBusy response"));
  }
}

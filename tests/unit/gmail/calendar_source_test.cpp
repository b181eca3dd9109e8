// The Google CalendarSource behind GmailMailSource::Calendar(): cursors
// across pages and rounds, 410 -> kGone, free/busy requests.
#include <catch2/catch.hpp>

#include <mutex>

#include "crmsync/core/calendar_source.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "scripted_transport.hpp"
#include "test_key.hpp"

using namespace crmsync;
using crmsync::testing::ScriptedTransport;

namespace {

constexpr const char* kApi = "https://gmail.test";
constexpr const char* kToken = "https://oauth2.test/token";

std::string Event(const std::string& id, const std::string& status = "confirmed") {
  return R"({"id":")" + id + R"(","status":")" + status + R"(","iCalUID":")" + id +
         R"(@google.com","summary":"Review","start":{"dateTime":"2026-11-03T10:00:00+01:00"},)"
         R"("end":{"dateTime":"2026-11-03T11:00:00+01:00"},"organizer":{"email":"alice@acme.example"},)"
         R"("attendees":[{"email":"dana@customer.example","responseStatus":"accepted"}]})";
}

struct FakeCalendar {
  std::mutex mu;
  std::vector<http::Request> requests;

  http::Response Answer(const http::Request& request) {
    std::lock_guard lock(mu);
    const std::string& url = request.url;
    if (url == kToken) return testing::Reply(200, R"({"access_token":"ya29.t","expires_in":3599})");
    requests.push_back(request);
    if (url.find("/calendar/v3/freeBusy") != std::string::npos) {
      return testing::Reply(200, R"({"calendars":{"alice@acme.example":{"busy":[{"start":"2026-11-03T09:00:00Z",)"
                                 R"("end":"2026-11-03T10:00:00Z"}]},"bob@acme.example":{"errors":[{"reason":"notFound"}],"busy":[]}}})");
    }
    if (url.find("syncToken=old") != std::string::npos) {
      return testing::Reply(410, R"({"error":{"code":410,"message":"Sync token is no longer valid, a full sync is required."}})");
    }
    if (url.find("syncToken=s1") != std::string::npos) {
      return testing::Reply(200, R"({"items":[)" + Event("e1", "cancelled") + R"(],"nextSyncToken":"s2"})");
    }
    if (url.find("pageToken=p2") != std::string::npos) {
      return testing::Reply(200, R"({"items":[)" + Event("e2") + R"(],"nextSyncToken":"s1"})");
    }
    if (url.find("timeMin=") != std::string::npos) {
      return testing::Reply(200, R"({"items":[)" + Event("e1") + R"(],"nextPageToken":"p2"})");
    }
    return testing::Reply(500, "unexpected " + url);
  }
};

gmail::GmailSourceOptions Options() {
  gmail::GmailSourceOptions options;
  options.key = testing::TestServiceAccountKey(kToken);
  options.admin_email = "admin@acme.example";
  options.api_url = kApi;
  options.directory_url = "https://admin.test";
  return options;
}

MailUser Alice() { return MailUser{"1", "alice@acme.example", {"alice@acme.example"}, true}; }

}  // namespace

TEST_CASE("Google calendar: a full sync pages, then increments follow the sync token", "[gmail][calendar]") {
  FakeCalendar google;
  ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  CalendarSource* calendar = source->Calendar();
  REQUIRE(calendar != nullptr);
  const MailUser alice = Alice();
  const std::string initial = calendar->InitialCalendarCursor(alice, "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z");

  auto first = calendar->FetchCalendarPage(alice, initial);
  REQUIRE(first.ok());
  CHECK_FALSE(first->last);
  REQUIRE(first->meetings.size() == 1);
  CHECK(first->meetings[0].start == "2026-11-03T09:00:00Z");   // converted to UTC
  auto second = calendar->FetchCalendarPage(alice, first->next_cursor);
  REQUIRE(second.ok());
  CHECK(second->last);
  CHECK(second->meetings[0].ical_uid == "e2@google.com");
  auto increment = calendar->FetchCalendarPage(alice, second->next_cursor);
  REQUIRE(increment.ok());
  CHECK(increment->last);
  REQUIRE(increment->meetings.size() == 1);
  CHECK(increment->meetings[0].cancelled);
  CHECK(google.requests.back().url.find("syncToken=s1") != std::string::npos);
  CHECK(google.requests.back().url.find("timeMin") == std::string::npos);   // Google refuses both
}

TEST_CASE("Google calendar: an expired sync token is kGone, a foreign cursor kInvalidArgument", "[gmail][calendar]") {
  FakeCalendar google;
  ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  CalendarSource& calendar = *source->Calendar();
  auto gone = calendar.FetchCalendarPage(Alice(), "sync|old|");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.status().code() == StatusCode::kGone);
  for (const char* bad : {"history:12", "full|only-one", "sync|a|b|c"}) {
    INFO(bad);
    auto refused = calendar.FetchCalendarPage(Alice(), bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Google calendar: free/busy asks freeBusy only and reports per-calendar errors", "[gmail][calendar]") {
  FakeCalendar google;
  ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  CalendarSource& calendar = *source->Calendar();
  CHECK(calendar.MaxBusyUsersPerRequest() == 50);
  const MailUser alice = Alice();
  const MailUser bob{"2", "bob@acme.example", {}, true};
  const std::vector<MailUserView> users = {alice, bob};
  auto busy = calendar.FetchBusy(alice, users, "2026-11-01T00:00:00Z", "2026-11-15T00:00:00Z");
  REQUIRE(busy.ok());
  REQUIRE(busy->size() == 2);
  for (const UserBusy& b : busy.value()) {
    if (b.address == "alice@acme.example") {
      REQUIRE(b.busy.size() == 1);
      CHECK(b.busy[0].start == "2026-11-03T09:00:00Z");
      CHECK(b.error.empty());
    } else {
      CHECK(b.address == "bob@acme.example");
      CHECK(b.error == "notFound");
    }
  }
  REQUIRE(google.requests.size() == 1);
  CHECK(google.requests[0].method == "POST");
  CHECK(google.requests[0].body.find("\"items\"") != std::string::npos);
}

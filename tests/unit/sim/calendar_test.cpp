// The simulated calendars: the corpus rules, Graph calendarView delta and
// getSchedule, Google events and freeBusy, request families, detail_reads,
// and the connectors' calendar parsers reading what the simulator serves.
#include <map>
#include <set>

#include "calendar_model.hpp"
#include "crmsync/gmail/calendar.hpp"
#include "crmsync/graph/calendar.hpp"
#include "google_test_support.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

std::uint64_t DetailReads(Simulator& sim) {
  HttpResponse r = sim.Handle(Request("GET", "/_sim/stats"));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  return std::uint64_t(Json(p, r)["detail_reads"]);
}

std::uint64_t FamilyCount(Simulator& sim, const std::string& family, int status) {
  HttpResponse r = sim.Handle(Request("GET", "/_sim/stats"));
  simdjson::dom::parser p;
  auto endpoints = Json(p, r)["endpoints"];
  auto by_status = endpoints[family];
  if (by_status.error()) return 0;
  auto n = by_status[std::to_string(status)];
  return n.error() ? 0 : std::uint64_t(n);
}

struct GraphRound {
  std::vector<crmsync::Meeting> meetings;
  std::string delta_link;
  int pages = 0;
};

GraphRound RunGraphRound(Simulator& sim, HttpRequest request) {
  GraphRound round;
  for (int guard = 0; guard < 1000; ++guard) {
    HttpResponse r = sim.Handle(request);
    REQUIRE(r.status == 200);
    ++round.pages;
    auto page = crmsync::graph::ParseCalendarDeltaPage(r.body);
    REQUIRE(page.ok());
    for (auto& m : page->meetings) round.meetings.push_back(std::move(m));
    if (!page->delta_link.empty()) {
      round.delta_link = page->delta_link;
      return round;
    }
    request = FollowLink(page->next_link, request.headers);
  }
  FAIL("round did not end");
  return round;
}

const std::string kWindowStart = "2026-10-01T00:00:00Z";
const std::string kWindowEnd = "2027-01-01T00:00:00Z";

}  // namespace

TEST_CASE("calendar model: pure function of the seed, one iCalUId across attendees", "[sim][calendar]") {
  FakeClock clock;
  Simulator a(Options(1, 4, 2, clock));
  Simulator b(Options(1, 4, 2, clock));
  CalendarModel ma(a.corpus()), mb(b.corpus());
  const Epochs epochs = a.corpus().epochs();
  int shared = 0, external = 0, crm_external = 0;
  for (int u = 0; u < 4; ++u) {
    auto cal_a = ma.Calendar(0, u, 0, 1, epochs);
    auto cal_b = mb.Calendar(0, u, 0, 1, epochs);
    REQUIRE(cal_a.size() == cal_b.size());
    CHECK(cal_a.size() >= static_cast<std::size_t>(kMeetingsPerUserPerEpoch));
    for (std::size_t i = 0; i < cal_a.size(); ++i) {
      CHECK(cal_a[i].ical_uid == cal_b[i].ical_uid);
      CHECK(cal_a[i].start == cal_b[i].start);
      CHECK(cal_a[i].end > cal_a[i].start);
      if (!cal_a[i].people.empty()) {
        ++external;
        const Tenant& t = a.corpus().tenants()[0];
        for (int p : cal_a[i].people) {
          const ExternalPerson& person = t.people[static_cast<std::size_t>(p)];
          if (!person.contact_id.empty() || !person.lead_id.empty()) ++crm_external;
        }
      }
      if (cal_a[i].ref.organizer != u) {
        // An invited copy: the organizer's calendar holds the same meeting.
        ++shared;
        auto organizer_cal = ma.Calendar(0, cal_a[i].ref.organizer, 0, 1, epochs);
        bool found = false;
        for (const auto& m : organizer_cal) found = found || m.ical_uid == cal_a[i].ical_uid;
        CHECK(found);
        CHECK(ma.GraphEventId(cal_a[i], u) != ma.GraphEventId(cal_a[i], cal_a[i].ref.organizer));
      }
    }
  }
  CHECK(shared > 0);
  CHECK(external > 0);
  CHECK(crm_external > 0);
}

TEST_CASE("calendar model: meetings are cancelled later, never at creation", "[sim][calendar]") {
  FakeClock clock;
  Simulator sim(Options(1, 6, 1, clock));
  CalendarModel model(sim.corpus());
  for (int i = 0; i < 8; ++i) sim.corpus().Advance(1);
  const Epochs epochs = sim.corpus().epochs();
  int cancelled = 0, total = 0;
  for (int u = 0; u < 6; ++u) {
    for (const SimMeeting& m : model.Calendar(0, u, 0, static_cast<int>(epochs.size()), epochs)) {
      ++total;
      CHECK_FALSE(m.CancelledAt(m.ref.epoch + 1));
      if (m.cancel_epoch >= 0) {
        ++cancelled;
        CHECK(m.cancel_epoch == m.ref.epoch + 1);
      }
    }
  }
  CHECK(cancelled > 0);
  CHECK(cancelled < total);
}

TEST_CASE("calendar model: --meeting-changes moves some meetings in place at the next epoch", "[sim][calendar]") {
  CorpusOptions plain{5, 1, 6, 1, 0};
  CorpusOptions changing = plain;
  changing.meeting_changes = true;
  Corpus a(plain), b(changing);
  CalendarModel ma(a), mb(b);
  const Epochs one = b.epochs();
  // Before the next epoch the option changes nothing.
  for (int u = 0; u < 6; ++u) {
    const auto pa = ma.Calendar(0, u, 0, 1, one), pb = mb.Calendar(0, u, 0, 1, one);
    REQUIRE(pa.size() == pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
      CHECK(pa[i].ical_uid == pb[i].ical_uid);
      CHECK(pa[i].subject == pb[i].subject);
      CHECK(pa[i].start == pb[i].start);
      CHECK(pa[i].location == pb[i].location);
      CHECK(pa[i].cancel_epoch == pb[i].cancel_epoch);
      CHECK(pa[i].change_epoch == -1);
    }
  }
  b.Advance(1);
  const Epochs two = b.epochs();
  int changed = 0, listed = 0;
  for (int u = 0; u < 6; ++u) {
    const auto before = mb.Calendar(0, u, 0, 1, one), after = mb.Calendar(0, u, 0, 1, two);
    REQUIRE(before.size() == after.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
      const SimMeeting& o = before[i];
      const SimMeeting& n = after[i];
      CHECK(o.ical_uid == n.ical_uid);   // the same meeting, changed in place
      if (n.change_epoch < 0) {
        CHECK(n.subject == o.subject);
        CHECK(n.start == o.start);
        continue;
      }
      CHECK(n.change_epoch == 1);
      CHECK(n.cancel_epoch < 0);   // never both
      CHECK(n.subject == o.subject + " (moved)");
      CHECK(n.start > o.start);
      CHECK(n.end - n.start == o.end - o.start);
      CHECK(n.location != o.location);
      CHECK(n.people.size() >= o.people.size());
      if (n.ref.organizer == u) ++changed;
    }
    // The increment after epoch 0 lists exactly the changed meetings (and the cancelled ones apart).
    for (const SimMeeting& m : mb.ChangedSince(0, u, 1, 2, two)) {
      CHECK(m.ChangedAt(2));
      CHECK(m.subject.find(" (moved)") != std::string::npos);
      ++listed;
    }
  }
  CHECK(changed > 0);
  CHECK(listed >= changed);
  CHECK(mb.ChangedSince(0, 0, 0, 1, two).empty());
}

TEST_CASE("Graph calendarView delta: full round, paging, increments, cancellations", "[sim][calendar]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 2, clock));
  const std::string token = GraphToken(sim, 0);
  const MailUser& u0 = sim.corpus().tenants()[0].users[0];
  auto headers = Bearer(token);
  headers["prefer"] = "odata.maxpagesize=2";
  const std::uint64_t reads_before = DetailReads(sim);

  GraphRound full = RunGraphRound(sim, Request("GET", "/v1.0/users/" + u0.graph_id + "/calendarView/delta",
                                               {{"startDateTime", kWindowStart}, {"endDateTime", kWindowEnd}}, headers));
  CalendarModel model(sim.corpus());
  const Epochs epochs = sim.corpus().epochs();
  auto expected = model.Calendar(0, 0, 0, 1, epochs);
  auto ws = *ParseIsoSeconds(kWindowStart), we = *ParseIsoSeconds(kWindowEnd);
  std::set<std::string> expected_uids;
  for (const auto& m : expected) {
    if (m.Overlaps(ws, we)) expected_uids.insert(m.ical_uid);
  }
  std::set<std::string> got_uids;
  for (const auto& m : full.meetings) {
    CHECK_FALSE(m.removed);
    CHECK_FALSE(m.cancelled);   // nothing is cancelled in the epoch that creates it
    got_uids.insert(m.ical_uid);
    CHECK_FALSE(m.attendees.empty());
    CHECK(m.organizer.address.find('@') != std::string::npos);
  }
  CHECK(got_uids == expected_uids);
  CHECK(full.pages >= static_cast<int>((expected_uids.size() + 1) / 2));
  CHECK(DetailReads(sim) > reads_before);
  CHECK(FamilyCount(sim, "graph.calendar_delta", 200) == static_cast<std::uint64_t>(full.pages));

  // Nothing changed: the increment is empty.
  GraphRound same = RunGraphRound(sim, FollowLink(full.delta_link, headers));
  CHECK(same.meetings.empty());

  // A new epoch: its meetings, and the previous epoch's cancellations.
  sim.corpus().Advance(1);
  GraphRound next = RunGraphRound(sim, FollowLink(same.delta_link, headers));
  const Epochs epochs2 = sim.corpus().epochs();
  std::size_t expected_changes = model.Calendar(0, 0, 1, 2, epochs2).size() + model.CancelledSince(0, 0, 1, 2, epochs2).size();
  CHECK(next.meetings.size() == expected_changes);
  std::size_t cancelled = 0;
  for (const auto& m : next.meetings) cancelled += m.cancelled ? 1 : 0;
  std::size_t expected_cancelled = 0;
  for (const auto& m : model.CancelledSince(0, 0, 1, 2, epochs2)) expected_cancelled += m.Overlaps(ws, we) ? 1 : 0;
  CHECK(cancelled == expected_cancelled);
}

TEST_CASE("Graph calendarView delta: errors", "[sim][calendar]") {
  FakeClock clock;
  Simulator sim(Options(2, 2, 1, clock));
  const std::string token = GraphToken(sim, 0);
  const MailUser& u0 = sim.corpus().tenants()[0].users[0];
  const MailUser& other = sim.corpus().tenants()[1].users[0];
  const std::string path = "/v1.0/users/" + u0.graph_id + "/calendarView/delta";
  CHECK(sim.Handle(Request("GET", path, {}, Bearer(token))).status == 400);   // no window
  CHECK(sim.Handle(Request("GET", path, {{"$deltatoken", "garbage"}}, Bearer(token))).status == 410);
  CHECK(sim.Handle(Request("GET", path, {{"startDateTime", kWindowStart}, {"endDateTime", kWindowEnd}})).status == 401);
  CHECK(sim.Handle(Request("GET", "/v1.0/users/" + other.graph_id + "/calendarView/delta",
                           {{"startDateTime", kWindowStart}, {"endDateTime", kWindowEnd}}, Bearer(token)))
            .status == 404);
  // Mail delta is still served by the Graph service.
  CHECK(sim.Handle(Request("GET", "/v1.0/users/" + u0.graph_id + "/mailFolders/inbox/messages/delta", {}, Bearer(token)))
            .status == 200);
  CHECK(FamilyCount(sim, "graph.calendar_delta", 410) == 1);
}

TEST_CASE("Graph getSchedule: busy times only, no details, per-schedule errors", "[sim][calendar]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 1, clock));
  const std::string token = GraphToken(sim, 0);
  const Tenant& t = sim.corpus().tenants()[0];
  const std::uint64_t reads_before = DetailReads(sim);
  const std::int64_t clock_now = sim.corpus().clock();
  const std::string start = FormatIsoUtc(clock_now - 8 * 86400), end = FormatIsoUtc(clock_now + 15 * 86400);
  const std::vector<std::string> schedules = {t.users[0].primary, t.users[1].primary, "ghost@nowhere.example"};
  auto body = crmsync::graph::BuildGetScheduleBody(schedules, start, end, 60);
  REQUIRE(body.ok());
  HttpResponse r = sim.Handle(Request("POST", "/v1.0/users/" + t.users[0].graph_id + "/calendar/getSchedule", {},
                                      Bearer(token), *body));
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"subject\"") == std::string::npos);
  CHECK(r.body.find("\"location\"") == std::string::npos);
  CHECK(r.body.find("attendees") == std::string::npos);
  auto results = crmsync::graph::ParseGetScheduleResponse(r.body);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 3);
  CalendarModel model(sim.corpus());
  const Epochs epochs = sim.corpus().epochs();
  for (int u = 0; u < 2; ++u) {
    const auto& result = (*results)[static_cast<std::size_t>(u)];
    CHECK(result.schedule_id == t.users[static_cast<std::size_t>(u)].primary);
    CHECK(result.error.empty());
    std::multiset<std::string> expected, got;
    for (const auto& m : model.Calendar(0, u, 0, 1, epochs)) {
      if (m.Overlaps(*ParseIsoSeconds(start), *ParseIsoSeconds(end))) expected.insert(FormatIsoUtc(m.start));
    }
    for (const auto& slot : result.busy) got.insert(slot.start);
    CHECK(got == expected);
    CHECK_FALSE(got.empty());
  }
  CHECK((*results)[2].error.find("ErrorMailRecipientNotFound") != std::string::npos);
  CHECK(DetailReads(sim) == reads_before);
  CHECK(FamilyCount(sim, "graph.get_schedule", 200) == 1);
  CHECK(FamilyCount(sim, "graph.calendar_delta", 200) == 0);

  std::string many = R"({"schedules":[)";
  for (int i = 0; i <= CalendarService::kMaxSchedules; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "@x\"";
  many += fmt::format(R"(],"startTime":{{"dateTime":"{}","timeZone":"UTC"}},"endTime":{{"dateTime":"{}","timeZone":"UTC"}}}})",
                      start.substr(0, 19), end.substr(0, 19));
  HttpResponse too_many = sim.Handle(Request("POST", "/v1.0/users/" + t.users[0].graph_id + "/calendar/getSchedule",
                                             {}, Bearer(token), many));
  CHECK(too_many.status == 400);
  CHECK(too_many.body.find("ErrorMailboxDataArrayTooBig") != std::string::npos);
  CHECK(sim.Handle(Request("POST", "/v1.0/users/" + t.users[0].graph_id + "/calendar/getSchedule", {}, Bearer(token),
                           "{not json"))
            .status == 400);
}

TEST_CASE("Google Calendar events: full sync, syncToken increments, 410 on a bad token", "[sim][calendar]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 1, clock));
  const std::string token = GoogleToken(sim, 1, 0, std::string(google::kCalendarReadonlyScope));
  const std::uint64_t reads_before = DetailReads(sim);
  auto run = [&](std::string sync_token) {
    std::vector<crmsync::Meeting> meetings;
    std::string page_token, next_sync;
    for (int guard = 0; guard < 1000; ++guard) {
      std::vector<std::pair<std::string, std::string>> query = {{"singleEvents", "true"}, {"maxResults", "2"}};
      if (sync_token.empty()) {
        query.emplace_back("timeMin", kWindowStart);
        query.emplace_back("timeMax", kWindowEnd);
      } else {
        query.emplace_back("syncToken", sync_token);
      }
      if (!page_token.empty()) query.emplace_back("pageToken", page_token);
      HttpResponse r = sim.Handle(Request("GET", "/calendar/v3/calendars/primary/events", query, Bearer(token)));
      REQUIRE(r.status == 200);
      auto page = crmsync::gmail::ParseCalendarEventsPage(r.body);
      REQUIRE(page.ok());
      for (auto& m : page->meetings) meetings.push_back(std::move(m));
      if (!page->next_sync_token.empty()) return std::make_pair(meetings, page->next_sync_token);
      page_token = page->next_page_token;
    }
    FAIL("no sync token");
    return std::make_pair(meetings, std::string());
  };
  auto [full, sync1] = run("");
  CalendarModel model(sim.corpus());
  std::size_t expected = 0;
  for (const auto& m : model.Calendar(1, 0, 0, 1, sim.corpus().epochs())) {
    expected += m.Overlaps(*ParseIsoSeconds(kWindowStart), *ParseIsoSeconds(kWindowEnd)) ? 1 : 0;
  }
  CHECK(full.size() == expected);
  CHECK(DetailReads(sim) > reads_before);
  sim.corpus().Advance(1);
  auto [increment, sync2] = run(sync1);
  const Epochs epochs = sim.corpus().epochs();
  CHECK(increment.size() == model.Calendar(1, 0, 1, 2, epochs).size() + model.CancelledSince(1, 0, 1, 2, epochs).size());
  std::size_t cancelled = 0;
  for (const auto& m : increment) cancelled += m.cancelled ? 1 : 0;
  CHECK(cancelled == model.CancelledSince(1, 0, 1, 2, epochs).size());
  CHECK(sync2 != sync1);

  HttpResponse gone = sim.Handle(Request("GET", "/calendar/v3/calendars/primary/events",
                                         {{"singleEvents", "true"}, {"syncToken", "expired"}}, Bearer(token)));
  CHECK(gone.status == 410);
  CHECK(crmsync::gmail::SyncTokenExpired(gone.status));
  CHECK(FamilyCount(sim, "google.calendar_events", 410) == 1);
  // Without a calendar scope the events are refused.
  const std::string mail_only = GoogleToken(sim, 1, 0);
  CHECK(sim.Handle(Request("GET", "/calendar/v3/calendars/primary/events", {{"singleEvents", "true"}}, Bearer(mail_only)))
            .status == 403);
}

TEST_CASE("Google freeBusy: busy times only, per-calendar errors, no detail reads", "[sim][calendar]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 1, clock));
  // The administrator grants the free/busy scope alone to the free/busy mode.
  const std::string freebusy_scope = "https://www.googleapis.com/auth/calendar.freebusy";
  REQUIRE(sim.google_auth().SetDelegation(1, std::nullopt, std::set<std::string>{freebusy_scope}));
  const std::string token = GoogleToken(sim, 1, 0, freebusy_scope);
  const Tenant& t = sim.corpus().tenants()[1];
  const std::uint64_t reads_before = DetailReads(sim);
  const std::int64_t now = sim.corpus().clock();
  const std::string start = FormatIsoUtc(now - 8 * 86400), end = FormatIsoUtc(now + 15 * 86400);
  const std::vector<std::string> ids = {t.users[0].primary, t.users[2].primary, "nobody@elsewhere.example"};
  auto body = crmsync::gmail::BuildFreeBusyBody(ids, start, end);
  REQUIRE(body.ok());
  HttpResponse r = sim.Handle(Request("POST", "/calendar/v3/freeBusy", {}, Bearer(token), *body));
  REQUIRE(r.status == 200);
  auto calendars = crmsync::gmail::ParseFreeBusyResponse(r.body);
  REQUIRE(calendars.ok());
  REQUIRE(calendars->size() == 3);
  CalendarModel model(sim.corpus());
  std::size_t expected = 0;
  for (const auto& m : model.Calendar(1, 2, 0, 1, sim.corpus().epochs())) {
    expected += m.Overlaps(*ParseIsoSeconds(start), *ParseIsoSeconds(end)) ? 1 : 0;
  }
  CHECK((*calendars)[1].busy.size() == expected);
  CHECK((*calendars)[2].errors == std::vector<std::string>{"notFound"});
  CHECK(DetailReads(sim) == reads_before);
  CHECK(FamilyCount(sim, "google.freebusy", 200) == 1);
  CHECK(FamilyCount(sim, "google.calendar_events", 200) == 0);
  // The free/busy scope does not open event details.
  CHECK(sim.Handle(Request("GET", "/calendar/v3/calendars/primary/events", {{"singleEvents", "true"}}, Bearer(token)))
            .status == 403);
  CHECK(sim.Handle(Request("POST", "/calendar/v3/freeBusy", {}, Bearer(token), "[1,")).status == 400);
}

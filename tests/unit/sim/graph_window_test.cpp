// The simulated Graph message listing a backfill reads: a receivedDateTime
// $filter really applied, $top pages chained by nextLink, and a $filter or
// $orderby it does not understand refused with 400, never ignored.
#include <algorithm>
#include <set>

#include "mail_window.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

// GET of an absolute nextLink whose query holds several %-encoded arguments.
HttpRequest FollowListingLink(const std::string& link, std::map<std::string, std::string> headers) {
  REQUIRE(link.rfind(kOrigin, 0) == 0);
  const std::string rest = link.substr(std::string(kOrigin).size());
  const std::size_t q = rest.find('?');
  HttpRequest r = Request("GET", rest.substr(0, q), {}, std::move(headers));
  if (q == std::string::npos) return r;
  r.raw_query = rest.substr(q + 1);
  std::string_view qs(r.raw_query);
  while (!qs.empty()) {
    const std::size_t amp = qs.find('&');
    const std::string_view arg = qs.substr(0, amp);
    const std::size_t eq = arg.find('=');
    auto name = FormDecode(arg.substr(0, eq));
    auto value = FormDecode(eq == std::string_view::npos ? std::string_view() : arg.substr(eq + 1));
    REQUIRE(name.has_value());
    REQUIRE(value.has_value());
    r.query.emplace(*name, *value);
    if (amp == std::string_view::npos) break;
    qs.remove_prefix(amp + 1);
  }
  return r;
}

}  // namespace

TEST_CASE("receivedDateTime filters: ge, lt, both, anything else named", "[sim][graph][backfill]") {
  std::string error;
  auto both = ParseReceivedFilter("receivedDateTime ge 2026-01-01T00:00:00Z and receivedDateTime lt 2026-02-01", error);
  REQUIRE(both.has_value());
  CHECK(*both->since == 1767225600);
  CHECK(*both->until == 1769904000);
  auto lower = ParseReceivedFilter("receivedDateTime ge 2026-01-01T00:00:00.000Z", error);
  REQUIRE(lower.has_value());
  CHECK_FALSE(lower->until.has_value());
  CHECK(lower->Contains(1767225600));
  CHECK_FALSE(lower->Contains(1767225599));

  CHECK_FALSE(ParseReceivedFilter("receivedDateTime eq 2026-01-01T00:00:00Z", error));
  CHECK(error.find("operator 'eq'") != std::string::npos);
  CHECK_FALSE(ParseReceivedFilter("sentDateTime ge 2026-01-01T00:00:00Z", error));
  CHECK(error.find("sentDateTime") != std::string::npos);
  CHECK_FALSE(ParseReceivedFilter("receivedDateTime ge 2026-13-01T00:00:00Z", error));
  CHECK_FALSE(ParseReceivedFilter("receivedDateTime ge 2026-01-01T00:00:00Z or receivedDateTime lt 2026-02-01", error));
  CHECK_FALSE(ParseReceivedFilter("receivedDateTime ge 2026-01-01 and receivedDateTime ge 2026-02-01", error));
  CHECK(error.find("given twice") != std::string::npos);
  CHECK_FALSE(ParseReceivedFilter("", error));
}

TEST_CASE("Graph messages: the window $filter is applied and nextLink pages cover it exactly once",
          "[sim][graph][backfill]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 12, clock));
  const std::string token = GraphToken(sim, 0);
  const MailUser& user = sim.corpus().tenants()[0].users[1];
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};
  const Epochs epochs = sim.corpus().epochs();

  for (const auto& [folder_name, folder] : {std::pair{"inbox", Folder::kInbox}, std::pair{"sentitems", Folder::kSentItems}}) {
    INFO(folder_name);
    std::vector<MessageHeader> all;
    ViewCursor cursor{0, 0, 0};
    while (auto h = sim.corpus().NextInView(0, 1, folder, static_cast<int>(epochs.size()), epochs, cursor)) {
      all.push_back(*h);
    }
    REQUIRE(all.size() >= 4);
    std::vector<std::int64_t> times;
    for (const auto& h : all) times.push_back(h.received);
    std::sort(times.begin(), times.end());
    const std::int64_t since = times[times.size() / 4], until = times[3 * times.size() / 4];
    std::multiset<std::string> expected;
    for (const auto& h : all) {
      if (h.received >= since && h.received < until) expected.insert(h.internet_message_id);
    }
    const std::string filter =
        "receivedDateTime ge " + FormatIsoUtc(since) + " and receivedDateTime lt " + FormatIsoUtc(until);
    HttpRequest request = Request("GET", "/v1.0/users/" + user.graph_id + "/mailFolders/" + folder_name + "/messages",
                                  {{"$filter", filter}, {"$orderby", "receivedDateTime"},
                                   {"$select", "internetMessageId,receivedDateTime"}, {"$top", "2"}},
                                  headers);
    std::multiset<std::string> got;
    std::string previous;
    simdjson::dom::parser parser;
    for (int page = 0;; ++page) {
      REQUIRE(page < 100);
      HttpResponse r = sim.Handle(request);
      INFO(r.body);
      REQUIRE(r.status == 200);
      auto doc = Json(parser, r);
      CHECK(doc["@odata.deltaLink"].error() == simdjson::NO_SUCH_FIELD);
      auto values = doc["value"].get_array();
      CHECK(values.size() <= 2);
      for (auto m : values) {
        const std::string received = Str(m["receivedDateTime"]);
        CHECK(received >= previous);   // $orderby=receivedDateTime
        previous = received;
        got.insert(Str(m["internetMessageId"]));
      }
      std::string_view next;
      if (doc["@odata.nextLink"].get(next) != simdjson::SUCCESS) break;
      request = FollowListingLink(std::string(next), headers);
    }
    CHECK(got == expected);
  }
}

TEST_CASE("Graph messages: an unsupported $filter or $orderby is a 400, never ignored", "[sim][graph][backfill]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 4, clock));
  const std::string token = GraphToken(sim, 0);
  const MailUser& user = sim.corpus().tenants()[0].users[0];
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};
  const std::string path = "/v1.0/users/" + user.graph_id + "/mailFolders/inbox/messages";
  simdjson::dom::parser parser;

  HttpResponse subject = sim.Handle(Request("GET", path, {{"$filter", "subject eq 'x'"}}, headers));
  CHECK(subject.status == 400);
  CHECK(Str(Json(parser, subject)["error"]["code"]) == "BadRequest");
  CHECK(Str(Json(parser, subject)["error"]["message"]).find("Invalid filter clause") != std::string::npos);
  HttpResponse order = sim.Handle(Request("GET", path, {{"$orderby", "subject"}}, headers));
  CHECK(order.status == 400);
  HttpResponse search = sim.Handle(Request("GET", path, {{"$search", "\"x\""}}, headers));
  CHECK(search.status == 400);
  HttpResponse top = sim.Handle(Request("GET", path, {{"$top", "0"}}, headers));
  CHECK(top.status == 400);
  HttpResponse open = sim.Handle(Request("GET", path, {{"$top", "1000"}}, headers));
  CHECK(open.status == 200);
}

// Graph delta paging, tokens, $select, bodies, users and tenant isolation.
#include <set>

#include "ground_truth.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

struct Round {
  std::vector<std::string> ids;
  std::vector<std::string> internet_ids;
  std::vector<std::string> sent;
  std::string delta_link;
  int pages = 0;
};

std::string DeltaPath(const MailUser& u, const char* folder) {
  return "/v1.0/users/" + u.graph_id + "/mailFolders/" + folder + "/messages/delta";
}

// Follows nextLinks to the end of a round, checking every page's shape.
Round RunRound(Simulator& sim, HttpRequest first, int page_size) {
  Round round;
  HttpRequest request = std::move(first);
  simdjson::dom::parser parser;
  for (int guard = 0; guard < 10000; ++guard) {
    HttpResponse r = sim.Handle(request);
    REQUIRE(r.status == 200);
    CHECK(ContentType(r) == "application/json");
    CHECK(r.headers.count("request-id") == 1);
    CHECK(r.headers.count("client-request-id") == 1);
    ++round.pages;
    auto doc = Json(parser, r);
    auto values = doc["value"].get_array();
    CHECK(values.size() <= static_cast<std::size_t>(page_size));
    for (auto m : values) {
      round.ids.push_back(Str(m["id"]));
      round.internet_ids.push_back(Str(m["internetMessageId"]));
      round.sent.push_back(Str(m["sentDateTime"]));
    }
    std::string_view next;
    if (doc["@odata.nextLink"].get(next) == simdjson::SUCCESS) {
      CHECK(doc["@odata.deltaLink"].error() == simdjson::NO_SUCH_FIELD);
      request = FollowLink(std::string(next), request.headers);
      continue;
    }
    round.delta_link = Str(doc["@odata.deltaLink"]);
    return round;
  }
  FAIL("round did not end");
  return round;
}

std::vector<std::string> ViewKeys(const Corpus& c, int tenant, int user, Folder folder, int from, int to) {
  Epochs epochs = c.epochs();
  ViewCursor cursor{from, 0, 0};
  std::vector<std::string> out;
  while (auto h = c.NextInView(tenant, user, folder, to, epochs, cursor)) out.push_back(h->internet_message_id);
  return out;
}

}  // namespace

TEST_CASE("delta: pages of maxpagesize, nextLink then deltaLink, each message once, then only new mail",
          "[sim][graph]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 40, clock));
  std::string token = GraphToken(sim, 0);
  const MailUser& user = sim.corpus().tenants()[0].users[1];
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token},
                                             {"prefer", "odata.maxpagesize=7"}};

  for (auto [folder, name] : {std::pair{Folder::kInbox, "Inbox"}, std::pair{Folder::kSentItems, "SentItems"}}) {
    Round round = RunRound(sim, Request("GET", DeltaPath(user, name), {{"$select", "internetMessageId,sentDateTime,subject"}}, headers), 7);
    const int epochs_now = static_cast<int>(sim.corpus().epochs().size());
    auto expected = ViewKeys(sim.corpus(), 0, 1, folder, 0, epochs_now);
    REQUIRE(expected.size() > 7);
    CHECK(round.pages == static_cast<int>((expected.size() + 6) / 7));
    CHECK(round.internet_ids == expected);
    CHECK(std::set<std::string>(round.ids.begin(), round.ids.end()).size() == round.ids.size());

    // Nothing new: an empty page and a fresh deltaLink.
    Round empty = RunRound(sim, FollowLink(round.delta_link, headers), 7);
    CHECK(empty.ids.empty());
    CHECK(empty.pages == 1);

    // New mail after /_sim/advance: only the new messages, dated after the old clock.
    std::string old_clock = FormatIsoUtc(sim.corpus().clock());
    HttpResponse adv = sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"messages":6})"));
    REQUIRE(adv.status == 200);
    int epoch = static_cast<int>(sim.corpus().epochs().size()) - 1;
    Round fresh = RunRound(sim, FollowLink(empty.delta_link, headers), 7);
    CHECK(fresh.internet_ids == ViewKeys(sim.corpus(), 0, 1, folder, epoch, epoch + 1));
    for (const auto& sent : fresh.sent) CHECK(sent > old_clock);
    // A saved deltaLink is stateless: replaying the older one gives the same answer.
    Round replay = RunRound(sim, FollowLink(empty.delta_link, headers), 7);
    CHECK(replay.ids == fresh.ids);
  }
}

TEST_CASE("delta: garbled or foreign tokens get 410 SyncStateNotFound", "[sim][graph]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 30, clock));
  std::string token = GraphToken(sim, 0);
  const auto& users = sim.corpus().tenants()[0].users;
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};
  simdjson::dom::parser parser;
  HttpResponse first = sim.Handle(Request("GET", DeltaPath(users[0], "inbox"), {}, headers));
  REQUIRE(first.status == 200);
  std::string next = Str(Json(parser, first)["@odata.nextLink"]);

  auto expect_410 = [&](HttpRequest r) {
    HttpResponse resp = sim.Handle(r);
    CHECK(resp.status == 410);
    auto doc = Json(parser, resp);
    CHECK(Str(doc["error"]["code"]) == "SyncStateNotFound");
    CHECK(Str(doc["error"]["message"]).rfind("The sync state generation is not found; generation=", 0) == 0);
  };
  HttpRequest garbled = FollowLink(next, headers);
  std::string& value = garbled.query.begin()->second;
  value[value.size() / 2] = value[value.size() / 2] == 'A' ? 'B' : 'A';
  expect_410(garbled);
  expect_410(Request("GET", DeltaPath(users[0], "inbox"), {{"$deltatoken", "not-a-token"}}, headers));
  // A valid token replayed on another mailbox is not that mailbox's state.
  HttpRequest moved = FollowLink(next, headers);
  moved.path = DeltaPath(users[1], "inbox");
  expect_410(moved);
}

TEST_CASE("delta: $select, body content type, errors", "[sim][graph]") {
  FakeClock clock;
  Simulator sim(Options(2, 2, 10, clock));
  std::string token = GraphToken(sim, 0);
  const MailUser& user = sim.corpus().tenants()[0].users[0];
  simdjson::dom::parser parser;
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};

  HttpResponse bad = sim.Handle(Request("GET", DeltaPath(user, "inbox"), {{"$select", "subject,bogus"}}, headers));
  CHECK(bad.status == 400);
  CHECK(Str(Json(parser, bad)["error"]["code"]) == "RequestBroker--ParseUri");
  CHECK(Str(Json(parser, bad)["error"]["message"]) ==
        "Could not find a property named 'bogus' on type 'microsoft.graph.message'.");

  HttpResponse selected = sim.Handle(Request("GET", DeltaPath(user, "INBOX"), {{"$select", "subject"}}, headers));
  REQUIRE(selected.status == 200);
  for (auto m : Json(parser, selected)["value"].get_array()) {
    CHECK(m["id"].error() == simdjson::SUCCESS);
    CHECK(m["subject"].error() == simdjson::SUCCESS);
    CHECK(m["body"].error() == simdjson::NO_SUCH_FIELD);
    CHECK(m["from"].error() == simdjson::NO_SUCH_FIELD);
  }

  // Full messages; text bodies on request, equal to the corpus body.
  auto text_headers = headers;
  text_headers["prefer"] = "outlook.body-content-type=\"text\", odata.maxpagesize=3";
  HttpResponse text = sim.Handle(Request("GET", DeltaPath(user, "sentitems"), {}, text_headers));
  REQUIRE(text.status == 200);
  auto keys = ViewKeys(sim.corpus(), 0, 0, Folder::kSentItems, 0, 1);
  Epochs epochs = sim.corpus().epochs();
  ViewCursor cursor;
  auto h = sim.corpus().NextInView(0, 0, Folder::kSentItems, 1, epochs, cursor);
  REQUIRE(h);
  auto first = Json(parser, text)["value"].at(0);
  CHECK(Str(first["body"]["contentType"]) == "text");
  CHECK(Str(first["body"]["content"]) == sim.corpus().Content(*h).body);
  CHECK(Str(first["internetMessageId"]) == h->internet_message_id);
  CHECK(Str(first["from"]["emailAddress"]["address"]) == h->from.address);
  CHECK(first["bccRecipients"].get_array().size() == 0);
  HttpResponse html = sim.Handle(Request("GET", DeltaPath(user, "sentitems"), {}, headers));
  CHECK(Str(Json(parser, html)["value"].at(0)["body"]["contentType"]) == "html");

  HttpResponse unknown = sim.Handle(Request("GET", "/v1.0/users/nobody@nowhere.example/mailFolders/inbox/messages/delta", {}, headers));
  CHECK(unknown.status == 404);
  CHECK(Str(Json(parser, unknown)["error"]["code"]) == "ErrorInvalidUser");

  HttpResponse no_token = sim.Handle(Request("GET", DeltaPath(user, "inbox")));
  CHECK(no_token.status == 401);
  CHECK(Str(Json(parser, no_token)["error"]["code"]) == "InvalidAuthenticationToken");

  // Tenant 1's token on tenant 2's mailbox: refused and counted.
  const MailUser& other = sim.corpus().tenants()[1].users[0];
  HttpResponse cross = sim.Handle(Request("GET", DeltaPath(other, "inbox"), {}, headers));
  CHECK(cross.status == 403);
  CHECK(Str(Json(parser, cross)["error"]["code"]) == "ErrorAccessDenied");
  HttpResponse verify = sim.Handle(Request("GET", "/_sim/verify"));
  CHECK(int64_t(Json(parser, verify)["isolation_violations"]) == 1);
  CHECK(int64_t(Json(parser, verify)["tenants"]["tenant-2"]["isolation_violations"]) == 1);
}

TEST_CASE("users: paging with $top, $select of proxyAddresses", "[sim][graph]") {
  FakeClock clock;
  Simulator sim(Options(2, 5, 1, clock));
  std::string token = GraphToken(sim, 1);
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};
  simdjson::dom::parser parser;
  HttpRequest request = Request("GET", "/v1.0/users", {{"$top", "2"}, {"$select", "id,userPrincipalName,proxyAddresses"}}, headers);
  std::vector<std::string> upns;
  int pages = 0;
  while (true) {
    HttpResponse r = sim.Handle(request);
    REQUIRE(r.status == 200);
    ++pages;
    auto doc = Json(parser, r);
    for (auto u : doc["value"].get_array()) {
      upns.push_back(Str(u["userPrincipalName"]));
      CHECK(u["displayName"].error() == simdjson::NO_SUCH_FIELD);
      auto proxies = u["proxyAddresses"].get_array();
      CHECK(Str(proxies.at(0)) == "SMTP:" + upns.back());
    }
    std::string_view next;
    if (doc["@odata.nextLink"].get(next) != simdjson::SUCCESS) break;
    request = FollowLink(std::string(next), headers);
  }
  CHECK(pages == 3);
  REQUIRE(upns.size() == 5);
  for (std::size_t i = 0; i < upns.size(); ++i) CHECK(upns[i] == sim.corpus().tenants()[1].users[i].primary);

  HttpResponse bad_top = sim.Handle(Request("GET", "/v1.0/users", {{"$top", "1000"}}, headers));
  CHECK(bad_top.status == 400);
}

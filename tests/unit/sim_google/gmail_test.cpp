#include <catch2/catch.hpp>

#include "gmail_batch.hpp"
#include "google_test_support.hpp"
#include "ground_truth.hpp"

namespace crmsync::sim::testing {
namespace {

std::vector<std::string> ListAll(Simulator& sim, const std::string& token, int page,
                                 std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::vector<std::string> ids;
  std::string page_token;
  for (int guard = 0; guard < 1000; ++guard) {
    auto query = extra;
    query.emplace_back("maxResults", std::to_string(page));
    if (!page_token.empty()) query.emplace_back("pageToken", page_token);
    HttpResponse r = sim.Handle(Request("GET", "/gmail/v1/users/me/messages", query, Bearer(token)));
    REQUIRE(r.status == 200);
    simdjson::dom::parser p;
    simdjson::dom::element doc = Json(p, r);
    simdjson::dom::array messages;
    if (doc["messages"].get(messages) == simdjson::SUCCESS) {
      CHECK(messages.size() <= static_cast<std::size_t>(page));
      for (auto m : messages) ids.push_back(Str(m["id"]));
    }
    std::string_view next;
    if (doc["nextPageToken"].get(next) != simdjson::SUCCESS) return ids;
    page_token = std::string(next);
  }
  FAIL("paging does not end");
  return ids;
}

TEST_CASE("messages.list pages through the mailbox and omits messages when empty", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 6, clock));
  std::string token = GoogleToken(sim, 1, 0);
  auto all = ListAll(sim, token, 500);
  REQUIRE(!all.empty());
  CHECK(ListAll(sim, token, 2) == all);
  std::set<std::string> unique(all.begin(), all.end());
  CHECK(unique.size() == all.size());

  HttpResponse empty = sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {{"q", "after:2099/01/01 -in:chats"}}, Bearer(token)));
  REQUIRE(empty.status == 200);
  CHECK(empty.body.find("\"messages\"") == std::string::npos);
  CHECK(empty.body.find("\"resultSizeEstimate\":0") != std::string::npos);

  auto inbox = ListAll(sim, token, 100, {{"labelIds", "INBOX"}});
  auto sent = ListAll(sim, token, 100, {{"labelIds", "SENT"}});
  CHECK(inbox.size() + sent.size() >= all.size());

  // Another user's mailbox, and a token from nowhere.
  const std::string other = sim.corpus().tenants()[1].users[1].primary;
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/" + other + "/messages", {}, Bearer(token))).status == 403);
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {}, Bearer("nope"))).status == 401);
  clock.Advance(4000);
  HttpResponse expired = sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {}, Bearer(token)));
  CHECK(expired.status == 401);
  CHECK(expired.body.find("authError") != std::string::npos);
}

TEST_CASE("history grows after an advance and is 404 for a too-old id", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 4, clock));
  std::string token = GoogleToken(sim, 1, 0);
  simdjson::dom::parser p;
  HttpResponse profile = sim.Handle(Request("GET", "/gmail/v1/users/me/profile", {}, Bearer(token)));
  REQUIRE(profile.status == 200);
  std::string start = Str(Json(p, profile)["historyId"]);

  HttpResponse none = sim.Handle(Request("GET", "/gmail/v1/users/me/history", {{"startHistoryId", start}}, Bearer(token)));
  REQUIRE(none.status == 200);
  CHECK(none.body.find("\"history\"") == std::string::npos);
  CHECK(Str(Json(p, none)["historyId"]) == start);

  REQUIRE(sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"messages":3})")).status == 200);
  HttpResponse added = sim.Handle(Request("GET", "/gmail/v1/users/me/history",
                                          {{"startHistoryId", start}, {"historyTypes", "messageAdded"}}, Bearer(token)));
  REQUIRE(added.status == 200);
  simdjson::dom::element doc = Json(p, added);
  std::string now = Str(doc["historyId"]);
  CHECK(std::stoll(now) > std::stoll(start));
  simdjson::dom::array history = doc["history"];
  CHECK(history.size() > 0);
  std::int64_t last = std::stoll(start);
  for (auto record : history) {
    std::int64_t id = std::stoll(Str(record["id"]));
    CHECK(id > last);
    last = id;
    std::string mid = Str(record["messagesAdded"].at(0)["message"]["id"]);
    CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/messages/" + mid, {{"format", "minimal"}}, Bearer(token))).status == 200);
  }
  // Retention is 2 advances: the first historyId goes stale after two more.
  REQUIRE(sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"messages":1})")).status == 200);
  REQUIRE(sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"messages":1})")).status == 200);
  HttpResponse stale = sim.Handle(Request("GET", "/gmail/v1/users/me/history", {{"startHistoryId", start}}, Bearer(token)));
  CHECK(stale.status == 404);
  CHECK(stale.body.find("NOT_FOUND") != std::string::npos);
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/history", {{"startHistoryId", now}}, Bearer(token))).status == 200);
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/history", {}, Bearer(token))).status == 400);
}

TEST_CASE("metadata get restricts headers, internalDate is the send time as a string", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 4, clock));
  std::string token = GoogleToken(sim, 1, 0);
  auto ids = ListAll(sim, token, 500);
  REQUIRE(!ids.empty());
  auto h = google::GmailMailbox(sim.corpus()).Find(1, 0, ids[0], sim.corpus().epochs());
  REQUIRE(h);
  HttpRequest req = Request("GET", "/gmail/v1/users/me/messages/" + ids[0],
                            {{"format", "metadata"}, {"metadataHeaders", "From"}, {"metadataHeaders", "Message-ID"}},
                            Bearer(token));
  HttpResponse r = sim.Handle(req);
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc = Json(p, r);
  CHECK(Str(doc["internalDate"]) == std::to_string(h->sent * 1000));
  CHECK(!Str(doc["historyId"]).empty());
  CHECK(Str(doc["snippet"]) == GmailSnippet(sim.corpus().Content(*h).body));
  simdjson::dom::array headers = doc["payload"]["headers"];
  std::set<std::string> names;
  for (auto hd : headers) names.insert(Str(hd["name"]));
  CHECK(names == std::set<std::string>{"From", "Message-ID"});
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/messages/0123456789abcdef", {}, Bearer(token))).status == 404);
}

TEST_CASE("snippet collapses whitespace and keeps 200 code points", "[sim_google]") {
  CHECK(GmailSnippet("  Hello,\r\n\r\n  world \t ") == "Hello, world");
  std::string long_body;
  for (int i = 0; i < 300; ++i) long_body += "é ";
  std::string s = GmailSnippet(long_body);
  CHECK(Utf8Length(s) == 199);   // the 200th would be a space
  CHECK(s.back() != ' ');
}

TEST_CASE("batch parses quoted boundaries and LF line ends, answers per part", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 4, clock));
  std::string token = GoogleToken(sim, 1, 0);
  auto ids = ListAll(sim, token, 500);
  REQUIRE(ids.size() >= 2);
  std::string body;
  for (int i = 0; i < 2; ++i) {
    body += "--b=x\nContent-Type: application/http\nContent-ID: <item" + std::to_string(i) + ">\n\n"
            "GET /gmail/v1/users/me/messages/" + ids[static_cast<std::size_t>(i)] +
            "?format=metadata&metadataHeaders=From HTTP/1.1\n\n";
  }
  body += "--b=x--\n";
  auto parsed = google::ParseBatch("multipart/mixed; boundary=\"b=x\"", body);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 2);
  CHECK(parsed.value()[1].content_id == "item1");
  CHECK(parsed.value()[1].request.query.count("metadataHeaders") == 1);

  HttpResponse r = sim.Handle(Request("POST", "/batch/gmail/v1", {},
                                      {{"authorization", "Bearer " + token}, {"content-type", "multipart/mixed; boundary=\"b=x\""}}, body));
  REQUIRE(r.status == 200);
  CHECK(ContentType(r).rfind("multipart/mixed; boundary=", 0) == 0);
  CHECK(r.body.find("Content-ID: <response-item0>") != std::string::npos);
  CHECK(r.body.find("Content-ID: <response-item1>") != std::string::npos);
  CHECK(r.body.find("Content-Type: application/http") != std::string::npos);
  CHECK(r.body.find("HTTP/1.1 200 OK") != std::string::npos);

  std::string big;
  for (int i = 0; i < 101; ++i) big += "--zz\r\nContent-Type: application/http\r\n\r\nGET /gmail/v1/users/me/profile\r\n\r\n";
  big += "--zz--\r\n";
  CHECK(sim.Handle(Request("POST", "/batch/gmail/v1", {}, {{"authorization", "Bearer " + token},
                                                            {"content-type", "multipart/mixed; boundary=zz"}}, big))
            .status == 400);
}

TEST_CASE("per-user quota answers 429 with Retry-After, also inside a batch", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 2, 2, clock, /*quota=*/12));
  std::string token = GoogleToken(sim, 1, 0);
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {}, Bearer(token))).status == 200);   // 5
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {}, Bearer(token))).status == 200);   // 10
  HttpResponse r = sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {}, Bearer(token)));
  CHECK(r.status == 429);
  CHECK(r.headers.count("Retry-After") == 1);
  CHECK(r.body.find("userRateLimitExceeded") != std::string::npos);
  clock.Advance(1);
  std::string body;
  for (int i = 0; i < 3; ++i) body += "--q\nContent-Type: application/http\n\nGET /gmail/v1/users/me/messages\n\n";
  body += "--q--\n";
  HttpResponse batch = sim.Handle(Request("POST", "/batch/gmail/v1", {}, {{"authorization", "Bearer " + token},
                                                                          {"content-type", "multipart/mixed; boundary=q"}}, body));
  REQUIRE(batch.status == 200);
  CHECK(batch.body.find("HTTP/1.1 429") != std::string::npos);
}

TEST_CASE("directory users and sendAs", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 5, 1, clock));
  const Tenant& t = sim.corpus().tenants()[1];
  std::string gmail_only = GoogleToken(sim, 1, 0);
  CHECK(sim.Handle(Request("GET", "/admin/directory/v1/users", {{"customer", "my_customer"}}, Bearer(gmail_only))).status == 403);
  std::string token = GoogleToken(sim, 1, 0, std::string(google::kDirectoryUserReadonlyScope));
  std::vector<std::string> emails;
  std::string page_token;
  for (int guard = 0; guard < 10; ++guard) {
    std::vector<std::pair<std::string, std::string>> q{{"domain", t.domains[0]}, {"maxResults", "2"}};
    if (!page_token.empty()) q.emplace_back("pageToken", page_token);
    HttpResponse r = sim.Handle(Request("GET", "/admin/directory/v1/users", q, Bearer(token)));
    REQUIRE(r.status == 200);
    simdjson::dom::parser p;
    simdjson::dom::element doc = Json(p, r);
    CHECK(Str(doc["kind"]) == "admin#directory#users");
    for (auto u : simdjson::dom::array(doc["users"])) emails.push_back(Str(u["primaryEmail"]));
    std::string_view next;
    if (doc["nextPageToken"].get(next) != simdjson::SUCCESS) break;
    page_token = std::string(next);
  }
  REQUIRE(emails.size() == t.users.size());
  for (std::size_t i = 0; i < emails.size(); ++i) CHECK(emails[i] == t.users[i].primary);

  for (int u = 0; u < 5; ++u) {
    std::string ut = GoogleToken(sim, 1, u);
    HttpResponse r = sim.Handle(Request("GET", "/gmail/v1/users/me/settings/sendAs", {}, Bearer(ut)));
    REQUIRE(r.status == 200);
    simdjson::dom::parser p;
    simdjson::dom::array list = Json(p, r)["sendAs"];
    REQUIRE(list.size() == 1 + t.users[static_cast<std::size_t>(u)].aliases.size());
    CHECK(Str(list.at(0)["sendAsEmail"]) == t.users[static_cast<std::size_t>(u)].primary);
    CHECK(bool(list.at(0)["isPrimary"]));
  }
}

TEST_CASE("verify across providers uses the snippet as Description for Gmail tenants", "[sim_google]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 2, 3, clock));
  const Tenant& t = sim.corpus().tenants()[1];
  const Epochs epochs = sim.corpus().epochs();
  int checked = 0;
  sim.corpus().ForEachMessage(1, 0, 1, epochs, [&](const MessageHeader& h) {
    Judgement j = Judge(sim.corpus(), h);
    if (j.outcome != Outcome::kCaptured) return;
    ExpectedTask task = ExpectedFields(h, j, sim.corpus().Content(h), t.provider);
    CHECK(task["Description"] == GmailSnippet(sim.corpus().Content(h).body));
    CHECK(task["ActivityDate"] == FormatDate(h.sent));
    ++checked;
  });
  CHECK(checked > 0);
  HttpResponse v = sim.Handle(Request("GET", "/_sim/verify"));
  REQUIRE(v.status == 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc = Json(p, v);
  CHECK(int64_t(doc["tenants"]["tenant-2"]["missing"]) == int64_t(doc["tenants"]["tenant-2"]["expected"]));
  HttpResponse stats = sim.Handle(Request("GET", "/_sim/stats"));
  CHECK(stats.body.find("\"google.token\"") != std::string::npos);
  CHECK(stats.body.find("\"directory.users\"") != std::string::npos);
}

}  // namespace
}  // namespace crmsync::sim::testing

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <map>
#include <mutex>
#include <regex>

#include "capture.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "scripted_transport.hpp"
#include "test_key.hpp"

using namespace crmsync;
using crmsync::testing::ScriptedTransport;

namespace {

constexpr const char* kApi = "https://gmail.test";
constexpr const char* kToken = "https://oauth2.test/token";

std::string MessageJson(const std::string& id) {
  return fmt::format(
      R"({{"id":"{0}","labelIds":["INBOX","Label_7"],"snippet":"body of {0}","internalDate":"1714557600000",)"
      R"("payload":{{"headers":[{{"name":"From","value":"Dana <dana@customer.example>"}},)"
      R"({{"name":"To","value":"alice@acme.example"}},{{"name":"Message-ID","value":"<{0}@x>"}}]}}}})",
      id);
}

// A Gmail + Directory + token endpoint fake, answering on the transport thread.
struct FakeGoogle {
  std::mutex mu;
  int history_404_for = -1;   // startHistoryId that answers 404
  int throttle_once = 1;      // batch parts answered 429 before succeeding
  std::vector<std::size_t> batch_sizes;
  std::vector<std::string> deleted = {"m3"};
  int labels_calls = 0;

  http::Response Answer(const http::Request& request) {
    std::lock_guard lock(mu);
    const std::string& url = request.url;
    if (url == kToken) return testing::Reply(200, R"({"access_token":"ya29.t","expires_in":3599})");
    if (testing::HeaderOf(request, "Authorization") != "Bearer ya29.t") return testing::Reply(401, "{}");
    if (url.find("/admin/directory/v1/users") != std::string::npos) {
      if (url.find("pageToken=d2") == std::string::npos) {
        return testing::Reply(200, R"({"users":[{"id":"1","primaryEmail":"Alice@acme.example","aliases":["a@acme.example"]}],"nextPageToken":"d2"})");
      }
      return testing::Reply(200, R"({"users":[{"id":"2","primaryEmail":"zed@acme.example","suspended":true}]})");
    }
    if (url.find("/settings/sendAs") != std::string::npos) {
      return testing::Reply(200, R"({"sendAs":[{"sendAsEmail":"alice@acme.example"},{"sendAsEmail":"Sales@acme.example"}]})");
    }
    if (url.find("/profile") != std::string::npos) return testing::Reply(200, R"({"historyId":"100"})");
    if (url.find("/labels") != std::string::npos) {
      ++labels_calls;
      return testing::Reply(200, R"({"labels":[{"id":"INBOX","name":"INBOX","type":"system"},)"
                                 R"({"id":"Label_7","name":"CRM","type":"user"}]})");
    }
    if (url.find("/messages?") != std::string::npos) {
      if (url.find("pageToken=p2") == std::string::npos) {
        return testing::Reply(200, R"({"messages":[{"id":"m1"},{"id":"m2"},{"id":"m3"}],"nextPageToken":"p2"})");
      }
      return testing::Reply(200, R"({"messages":[{"id":"m4"}]})");
    }
    if (url.find("/history?") != std::string::npos) {
      if (url.find(fmt::format("startHistoryId={}&", history_404_for)) != std::string::npos) {
        return testing::Reply(404, R"({"error":{"code":404,"message":"Requested entity was not found."}})");
      }
      if (url.find("startHistoryId=100&") != std::string::npos) {
        return testing::Reply(200, R"({"history":[{"messagesAdded":[{"message":{"id":"m5"}}]}],"historyId":"120"})");
      }
      return testing::Reply(200, R"({"historyId":"120"})");
    }
    if (url == std::string(kApi) + "/batch/gmail/v1") return Batch(request);
    return testing::Reply(500, "unexpected " + url);
  }

  http::Response Batch(const http::Request& request) {
    const std::string content_type = testing::HeaderOf(request, "Content-Type");
    const std::string boundary = content_type.substr(content_type.find("boundary=") + 9);
    static const std::regex part_re(R"(Content-ID: <([^>]+)>\r\n\r\nGET /gmail/v1/users/[^/]+/messages/([^?]+)\?)");
    std::string out;
    std::size_t parts = 0;
    for (std::sregex_iterator it(request.body.begin(), request.body.end(), part_re), end; it != end; ++it) {
      ++parts;
      const std::string content_id = (*it)[1];
      const std::string id = (*it)[2];
      out += fmt::format("--resp\r\nContent-Type: application/http\r\nContent-ID: <response-{}>\r\n\r\n", content_id);
      if (id == "m2" && throttle_once > 0) {
        --throttle_once;
        out += "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\n\r\n"
               R"({"error":{"code":429,"errors":[{"reason":"rateLimitExceeded"}]}})"
               "\r\n";
      } else if (std::find(deleted.begin(), deleted.end(), id) != deleted.end()) {
        out += "HTTP/1.1 404 Not Found\r\n\r\n{}\r\n";
      } else {
        out += "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + MessageJson(id) + "\r\n";
      }
    }
    out += "--resp--\r\n";
    batch_sizes.push_back(parts);
    (void)boundary;
    return testing::Reply(200, out, {{"content-type", "multipart/mixed; boundary=resp"}});
  }
};

gmail::GmailSourceOptions Options() {
  gmail::GmailSourceOptions options;
  options.key = testing::TestServiceAccountKey(kToken);
  options.admin_email = "admin@acme.example";
  options.api_url = kApi;
  options.directory_url = "https://admin.test";
  options.since_date = "2026/01/01";
  options.batch_size = 2;
  return options;
}

Result<MailPage> Fetch(MailSource& source, const MailUser& user, const std::string& cursor) {
  auto [done, future] = testing::Capture<Result<RawPage>>();
  source.FetchPage(user, "mail", cursor, done);
  REQUIRE(future.wait_for(testing::kWaitLimit) == std::future_status::ready);
  Result<RawPage> raw = future.get();
  if (!raw.ok()) return raw.status();
  return source.ParsePage(std::move(raw.value()));
}

std::vector<std::string> Ids(const MailPage& page) {
  std::vector<std::string> ids;
  for (const Message& m : page.messages) ids.push_back(m.source_id);
  return ids;
}

}  // namespace

TEST_CASE("GmailMailSource: users from the Directory with send-as aliases", "[gmail][source]") {
  FakeGoogle google;
  ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  auto users = source->ListUsers();
  REQUIRE(users.ok());
  REQUIRE(users->size() == 2);
  CHECK((*users)[0].id == "1");
  CHECK((*users)[0].primary == "alice@acme.example");
  CHECK((*users)[0].enabled);
  CHECK((*users)[0].aliases == std::vector<std::string>{"alice@acme.example", "a@acme.example", "sales@acme.example"});
  CHECK((*users)[1].primary == "zed@acme.example");
  CHECK_FALSE((*users)[1].enabled);
  CHECK(source->StreamKinds() == std::vector<std::string>{"mail"});
  // The Directory was read as the admin, the send-as list as the user; no
  // send-as call for the suspended user.
  int send_as_calls = 0;
  for (const auto& request : transport.requests()) {
    if (request.url.find("/settings/sendAs") != std::string::npos) {
      ++send_as_calls;
      CHECK(request.url.find("Alice%40acme.example") != std::string::npos);
    }
  }
  CHECK(send_as_calls == 1);
  CHECK(source->Stats().token_grants == 2);
}

TEST_CASE("GmailMailSource: initial window, batches, history, 404 fallback", "[gmail][source]") {
  FakeGoogle google;
  ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  MailUser alice{"1", "alice@acme.example", {"alice@acme.example"}, true};
  const std::string initial = source->InitialCursor(alice, "mail");
  CHECK(initial == "list::");

  // Page 1: profile, list, then m1..m3 in two batches (batch_size 2); m2 is
  // throttled once and re-sent; m3 was deleted meanwhile.
  auto page1 = Fetch(*source, alice, initial);
  REQUIRE(page1.ok());
  CHECK(Ids(page1.value()) == std::vector<std::string>{"m1", "m2"});
  CHECK_FALSE(page1->last);
  CHECK(page1->next_cursor == "list:100:p2");
  const Message& m1 = page1->messages[0];
  CHECK(m1.from.address == "dana@customer.example");
  CHECK(m1.sent_at == "2024-05-01T10:00:00Z");
  CHECK(m1.internet_message_id == "<m1@x>");
  CHECK(m1.body_text == "body of m1");
  for (std::size_t size : google.batch_sizes) CHECK(size <= 2);

  auto page2 = Fetch(*source, alice, page1->next_cursor);
  REQUIRE(page2.ok());
  CHECK(Ids(page2.value()) == std::vector<std::string>{"m4"});
  CHECK(page2->last);
  CHECK(page2->next_cursor == "history:100");

  auto increment = Fetch(*source, alice, page2->next_cursor);
  REQUIRE(increment.ok());
  CHECK(Ids(increment.value()) == std::vector<std::string>{"m5"});
  CHECK(increment->last);
  CHECK(increment->next_cursor == "history:120");

  auto quiet = Fetch(*source, alice, increment->next_cursor);
  REQUIRE(quiet.ok());
  CHECK(quiet->messages.empty());
  CHECK(quiet->next_cursor == "history:120");

  // A historyId Gmail no longer keeps: the window is read again.
  google.history_404_for = 120;
  auto fallback = Fetch(*source, alice, "history:120");
  REQUIRE(fallback.ok());
  CHECK(Ids(fallback.value()) == std::vector<std::string>{"m1", "m2"});
  CHECK(fallback->next_cursor == "list:100:p2");

  // Every Gmail request was paced, authorized and well-formed.
  int batches = 0;
  for (const auto& request : transport.requests()) {
    if (request.url.find("/batch/gmail/v1") != std::string::npos) {
      ++batches;
      CHECK(request.method == "POST");
      CHECK(testing::HeaderOf(request, "Content-Type").rfind("multipart/mixed; boundary=", 0) == 0);
    }
    if (request.url.find("/messages?") != std::string::npos) {
      CHECK(request.url.find("q=after%3A2026%2F01%2F01%20-in%3Achats") != std::string::npos);
    }
  }
  CHECK(batches >= 5);
  CHECK(source->Stats().pages == 5);  // 2 list, 2 history, 1 list again (the 404 is no page)
  CHECK(source->Stats().token_grants == 1);
}

TEST_CASE("GmailMailSource: malformed cursors and pages", "[gmail][source]") {
  FakeGoogle google;
  ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  MailUser alice{"1", "alice@acme.example", {"alice@acme.example"}, true};
  CHECK(Fetch(*source, alice, "delta:xyz").status().code() == StatusCode::kInvalidArgument);
  CHECK(Fetch(*source, alice, "history:").status().code() == StatusCode::kInvalidArgument);
  CHECK(source->ParsePage(RawPage{"", "x"}).status().code() == StatusCode::kCorruption);
  CHECK(source->ParsePage(RawPage{"99\n{}", "1\nhistory:1"}).status().code() == StatusCode::kCorruption);
  CHECK(source->ParsePage(RawPage{"2\n{}\n", "1\nhistory:1"}).status().code() == StatusCode::kCorruption);
}

TEST_CASE("GmailMailSource: revoked delegation surfaces as kUnauthorized", "[gmail][source]") {
  ScriptedTransport transport([](const http::Request& r) {
    if (r.url == kToken) return testing::Reply(401, R"({"error":"unauthorized_client","error_description":"x"})");
    return testing::Reply(500, "unexpected");
  });
  auto source = gmail::MakeGmailMailSource(transport, Options());
  MailUser alice{"1", "alice@acme.example", {"alice@acme.example"}, true};
  auto page = Fetch(*source, alice, "history:5");
  REQUIRE(page.status().code() == StatusCode::kUnauthorized);
  CHECK(page.status().message().find("domain-wide delegation is not granted to client_id 109876543210") !=
        std::string::npos);
}

TEST_CASE("GmailMailSource: label ids become names when asked, labels read once per mailbox", "[gmail][source]") {
  for (const bool resolve : {false, true}) {
    INFO("resolve_label_names=" << resolve);
    FakeGoogle google;
    ScriptedTransport transport([&](const http::Request& r) { return google.Answer(r); });
    auto options = Options();
    options.resolve_label_names = resolve;
    auto source = gmail::MakeGmailMailSource(transport, options);
    MailUser alice{"1", "alice@acme.example", {"alice@acme.example"}, true};
    auto page1 = Fetch(*source, alice, source->InitialCursor(alice, "mail"));
    REQUIRE(page1.ok());
    REQUIRE_FALSE(page1->messages.empty());
    CHECK(page1->next_cursor == "list:100:p2");
    const std::vector<std::string> expected =
        resolve ? std::vector<std::string>{"INBOX", "CRM"} : std::vector<std::string>{"INBOX", "Label_7"};
    CHECK(page1->messages[0].labels == expected);
    auto page2 = Fetch(*source, alice, page1->next_cursor);
    REQUIRE(page2.ok());
    REQUIRE_FALSE(page2->messages.empty());
    CHECK(page2->messages[0].labels == expected);
    CHECK(google.labels_calls == (resolve ? 1 : 0));
  }
}

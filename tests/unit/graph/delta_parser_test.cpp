#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <set>
#include <tuple>

#include "crmsync/core/message_pool.hpp"
#include "crmsync/graph/graph.hpp"
#include "test_data.hpp"

using crmsync::StatusCode;
using crmsync::graph::ParseDeltaPage;
using crmsync::testing::ReadTestData;

TEST_CASE("delta page with messages, null fields and a tombstone", "[graph][delta]") {
  auto page = ParseDeltaPage(ReadTestData("graph/delta_page_messages.json"));
  REQUIRE(page.ok());
  CHECK(page->next_link ==
        "https://graph.microsoft.com/v1.0/users/alice@contoso.com/mailFolders/inbox/messages/"
        "delta?$skiptoken=AAA-111");
  CHECK(page->delta_link.empty());
  REQUIRE(page->messages.size() == 3);

  const crmsync::Message& first = page->messages[0];
  CHECK(first.source_id == "AAMkAGI2THVSAAA=");
  CHECK(first.internet_message_id == "<CAF=abc123@mail.contoso.com>");
  CHECK(first.subject == "Q3 pricing \"final\"");
  CHECK(first.body_text == "Hi Bob,\nsee attached.\n");
  CHECK(first.sent_at == "2026-05-01T10:00:00Z");
  CHECK(first.from.address == "alice@contoso.com");
  CHECK(first.from.name == "Alice Example");
  REQUIRE(first.to.size() == 2);
  CHECK(first.to[1].address == "carol@fabrikam.com");
  REQUIRE(first.cc.size() == 1);
  CHECK(first.cc[0].name == "Dan");
  CHECK(first.bcc.empty());
  CHECK_FALSE(first.is_draft);
  CHECK(first.categories == std::vector<std::string>{"Customer", "Red category"});
  CHECK_FALSE(first.removed);

  const crmsync::Message& second = page->messages[1];
  // sentDateTime is null: receivedDateTime stands in.
  CHECK(second.sent_at == "2026-05-02T08:30:00Z");
  CHECK(second.from.address.empty());
  CHECK(second.to.empty());
  CHECK(second.is_draft);
  CHECK(second.categories.empty());
  // HTML body (despite the text preference) converted, entities decoded, style dropped.
  CHECK(second.body_text == "Hello Bob & team,\nPrice < 5'000 \"net\"\nThanks");

  const crmsync::Message& tombstone = page->messages[2];
  CHECK(tombstone.source_id == "AAMkAGI2THVUAAA=");
  CHECK(tombstone.removed);
  CHECK(tombstone.subject.empty());
}

TEST_CASE("Unicode subjects are preserved byte for byte", "[graph][delta]") {
  auto page = ParseDeltaPage(ReadTestData("graph/delta_page_messages.json"));
  REQUIRE(page.ok());
  // Raw UTF-8 copied; the \ud83d\ude00 surrogate pair decoded to U+1F600.
  CHECK(page->messages[1].subject ==
        "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E "
        "\xF0\x9F\x98\x80");
}

TEST_CASE("last page of a round carries the deltaLink", "[graph][delta]") {
  auto page = ParseDeltaPage(ReadTestData("graph/delta_page_last.json"));
  REQUIRE(page.ok());
  CHECK(page->next_link.empty());
  CHECK(page->delta_link ==
        "https://graph.microsoft.com/v1.0/users/alice@contoso.com/mailFolders/inbox/messages/"
        "delta?$deltatoken=ZZZ-999");
  REQUIRE(page->messages.size() == 1);
  CHECK(page->messages[0].removed);
}

TEST_CASE("an empty value array with a deltaLink is a valid page", "[graph][delta]") {
  auto page = ParseDeltaPage(R"({"value":[],"@odata.deltaLink":"https://g/d?$deltatoken=1"})");
  REQUIRE(page.ok());
  CHECK(page->messages.empty());
}

namespace {

std::string Page(const std::string& message_json) {
  return R"({"@odata.nextLink":"https://g/n","value":[{"id":"a"},)" + message_json + "]}";
}

}  // namespace

TEST_CASE("malformed delta pages are kCorruption naming the field", "[graph][delta]") {
  struct Case {
    const char* name;
    std::string body;
    const char* expected;
  };
  const std::string sample = ReadTestData("graph/delta_page_messages.json");
  const std::vector<Case> cases = {
      {"empty input", "", "empty body"},
      {"not JSON", "<html>502 Bad Gateway</html>", "Graph delta page: document"},
      {"truncated", sample.substr(0, sample.size() / 2), "Graph delta page"},
      {"top level array", "[]", "document: expected object"},
      {"value not an array", R"({"value":{},"@odata.deltaLink":"x"})", "value: expected array"},
      {"value missing", R"({"@odata.deltaLink":"x"})", "value: missing"},
      {"recipients wrong type", Page(R"({"id":"b","toRecipients":"bob@x.com"})"),
       "value[1].toRecipients: expected array"},
      {"recipient entry null", Page(R"({"id":"b","ccRecipients":[null]})"),
       "value[1].ccRecipients[0]: expected object"},
      {"address wrong type",
       Page(R"({"id":"b","toRecipients":[{"emailAddress":{"address":7}}]})"),
       "value[1].toRecipients[0].emailAddress.address: expected string"},
      {"isDraft wrong type", Page(R"({"id":"b","isDraft":"yes"})"),
       "value[1].isDraft: expected boolean"},
      {"category wrong type", Page(R"({"id":"b","categories":[1]})"),
       "value[1].categories[0]: expected string"},
      {"body wrong type", Page(R"({"id":"b","body":"text"})"), "value[1].body: expected object"},
      {"element not an object", Page("42"), "value[1]: expected object"},
      {"id missing", Page(R"({"subject":"s"})"), "value[1].id: missing"},
      {"id wrong type", Page(R"({"id":5})"), "value[1].id: expected string"},
      {"invalid UTF-8", Page("{\"id\":\"b\",\"subject\":\"caf\xC3\x28\"}"), "UTF-8"},
      {"both links missing", R"({"value":[]})", "neither @odata.nextLink nor @odata.deltaLink"},
      {"both links present", R"({"value":[],"@odata.nextLink":"a","@odata.deltaLink":"b"})",
       "both @odata.nextLink and @odata.deltaLink"},
      {"link wrong type", R"({"value":[],"@odata.deltaLink":null})",
       "@odata.deltaLink: expected string"},
      {"empty link", R"({"value":[],"@odata.nextLink":""})", "@odata.nextLink: empty"},
      {"extra closing brace", R"({"value":[],"@odata.deltaLink":"d"}})", "trailing content"},
      {"trailing garbage", R"({"value":[],"@odata.deltaLink":"d"} x)", "Graph delta page: document"},
      {"bad null atom", Page(R"({"id":"b","subject":nul})"), "value[1].subject"},
      {"huge unterminated string",
       R"({"value":[{"id":"b","subject":")" + std::string(8 << 20, 'x'), "Graph delta page"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto page = ParseDeltaPage(c.body);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == StatusCode::kCorruption);
    CHECK_THAT(page.status().message(), Catch::Contains(c.expected));
  }
}

TEST_CASE("a huge valid subject parses", "[graph][delta]") {
  const std::string subject(8 << 20, 'y');
  auto page = ParseDeltaPage(R"({"@odata.deltaLink":"d","value":[{"id":"b","subject":")" +
                             subject + "\"}]}");
  REQUIRE(page.ok());
  CHECK(page->messages[0].subject == subject);
}

TEST_CASE("every proper prefix of a page is rejected without crashing", "[graph][delta]") {
  const std::string sample = ReadTestData("graph/delta_page_messages.json");
  REQUIRE(sample.size() > 100);
  // The sample ends with "}\n": anything shorter than the closing brace is incomplete.
  const std::size_t complete = sample.rfind('}') + 1;
  for (std::size_t length = 0; length < complete; ++length) {
    auto page = ParseDeltaPage(std::string_view(sample).substr(0, length));
    if (page.ok()) FAIL("prefix of length " << length << " was accepted");
    CHECK(page.status().code() == StatusCode::kCorruption);
  }
  CHECK(ParseDeltaPage(std::string_view(sample).substr(0, complete)).ok());
}

TEST_CASE("delta: internetMessageHeaders give the bulk and automatic-reply facts, folder is set",
          "[graph][delta]") {
  const std::string body =
      R"({"value":[)"
      R"({"id":"a","internetMessageHeaders":[{"name":"list-unsubscribe","value":"<mailto:u@x.example>"},)"
      R"({"name":"PRECEDENCE","value":"bulk"},{"name":"Precedence","value":"list"},)"
      R"({"name":"Auto-Submitted","value":"auto-replied"}]},)"
      R"({"id":"b","internetMessageHeaders":null},)"
      R"({"id":"c","internetMessageHeaders":[{"name":"Received","value":"from x"}]},)"
      R"({"id":"d","@removed":{"reason":"deleted"}}],)"
      R"("@odata.deltaLink":"https://g/delta?$deltatoken=1"})";
  auto page = ParseDeltaPage(body, "Sent Items");
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 4);
  const auto& a = page->messages[0];
  CHECK(a.has_list_unsubscribe);
  CHECK(a.precedence == "bulk");
  CHECK(a.auto_submitted == "auto-replied");
  CHECK(a.folder == "Sent Items");
  for (std::size_t i : {1u, 2u}) {
    CHECK_FALSE(page->messages[i].has_list_unsubscribe);
    CHECK(page->messages[i].precedence.empty());
    CHECK(page->messages[i].auto_submitted.empty());
  }
  CHECK(page->messages[3].folder.empty());   // a tombstone keeps only its id

  auto bad = ParseDeltaPage(
      R"({"value":[{"id":"a","internetMessageHeaders":[{"name":5}]}],"@odata.deltaLink":"x"})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kCorruption);
  CHECK(bad.status().message().find("value[0].internetMessageHeaders[0].name") != std::string::npos);
  auto not_list = ParseDeltaPage(R"({"value":[{"id":"a","internetMessageHeaders":{}}],"@odata.deltaLink":"x"})");
  CHECK(not_list.status().code() == StatusCode::kCorruption);
}

TEST_CASE("message listing page (backfill window): nextLink or nothing, never a deltaLink", "[graph][backfill]") {
  const std::string message =
      R"({"id":"AAMk1","internetMessageId":"<a@b>","subject":"s","receivedDateTime":"2026-05-01T10:00:00Z",)"
      R"("sentDateTime":"2026-05-01T09:59:00Z","from":{"emailAddress":{"address":"a@b.example","name":"A"}},)"
      R"("toRecipients":[],"ccRecipients":[],"bccRecipients":[],"isDraft":false,"categories":[]})";
  auto middle = crmsync::graph::ParseMessagesPage(
      R"({"@odata.nextLink":"https://g/v1.0/users/u/mailFolders/inbox/messages?$skip=10","value":[)" + message + "]}",
      "Inbox");
  REQUIRE(middle.ok());
  CHECK(middle->next_link == "https://g/v1.0/users/u/mailFolders/inbox/messages?$skip=10");
  REQUIRE(middle->messages.size() == 1);
  CHECK(middle->messages[0].folder == "Inbox");
  CHECK(middle->messages[0].internet_message_id == "<a@b>");

  auto last = crmsync::graph::ParseMessagesPage(R"({"value":[]})");
  REQUIRE(last.ok());
  CHECK(last->next_link.empty());

  auto delta = crmsync::graph::ParseMessagesPage(R"({"@odata.deltaLink":"https://g/x","value":[]})");
  CHECK(delta.status().code() == StatusCode::kCorruption);
  CHECK(delta.status().message().find("@odata.deltaLink in a message listing") != std::string::npos);
  CHECK(crmsync::graph::ParseMessagesPage(R"({"value":[)").status().code() == StatusCode::kCorruption);
  CHECK(crmsync::graph::ParseMessagesPage(R"({"@odata.nextLink":"x"})").status().code() == StatusCode::kCorruption);
}

namespace {

void CheckSame(const crmsync::Message& a, const crmsync::Message& b) {
  CHECK(a.source_id == b.source_id);
  CHECK(a.internet_message_id == b.internet_message_id);
  CHECK(a.subject == b.subject);
  CHECK(a.body_text == b.body_text);
  CHECK(a.sent_at == b.sent_at);
  CHECK(a.from.address == b.from.address);
  CHECK(a.from.name == b.from.name);
  const auto same_list = [](const std::vector<crmsync::Participant>& x, const std::vector<crmsync::Participant>& y) {
    REQUIRE(x.size() == y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(x[i].address == y[i].address);
      CHECK(x[i].name == y[i].name);
    }
  };
  same_list(a.to, b.to);
  same_list(a.cc, b.cc);
  same_list(a.bcc, b.bcc);
  CHECK(a.categories == b.categories);
  CHECK(a.labels == b.labels);
  CHECK(a.folder == b.folder);
  CHECK(a.auto_submitted == b.auto_submitted);
  CHECK(a.precedence == b.precedence);
  CHECK(a.has_list_unsubscribe == b.has_list_unsubscribe);
  CHECK(a.is_auto_reply == b.is_auto_reply);
  CHECK(a.is_draft == b.is_draft);
  CHECK(a.removed == b.removed);
}

}  // namespace

TEST_CASE("messages parsed over a finished page's recycled messages carry nothing of them", "[graph][delta]") {
  while (!crmsync::TakeRecycledMessages().empty()) {
  }
  const std::string rich = ReadTestData("graph/delta_page_messages.json");
  // Message 1 of `sparse` lacks every optional field the rich page's first message has.
  const std::string sparse =
      R"({"value":[{"id":"X1","sentDateTime":"2026-06-01T00:00:00Z"},)"
      R"({"id":"X2","subject":"only a subject","internetMessageHeaders":[{"name":"Precedence","value":"list"}]},)"
      R"({"id":"X3","subject":"three"},{"id":"X4","@removed":{"reason":"deleted"}}],)"
      R"("@odata.deltaLink":"https://g/d?$deltatoken=2"})";
  auto fresh_rich = ParseDeltaPage(rich, "Inbox");
  auto fresh_sparse = ParseDeltaPage(sparse, "Inbox");
  REQUIRE(fresh_rich.ok());
  REQUIRE(fresh_sparse.ok());
  for (const auto& [first, second, expected] :
       {std::tuple{&rich, &sparse, &fresh_sparse.value()}, std::tuple{&sparse, &rich, &fresh_rich.value()}}) {
    while (!crmsync::TakeRecycledMessages().empty()) {
    }
    auto before = ParseDeltaPage(*first, "Inbox");
    REQUIRE(before.ok());
    crmsync::RecycleMessages(std::move(before->messages));
    auto reused = ParseDeltaPage(*second, "Inbox");
    REQUIRE(reused.ok());
    REQUIRE(reused->messages.size() == expected->messages.size());
    for (std::size_t i = 0; i < expected->messages.size(); ++i) {
      INFO("message " << i);
      CheckSame(reused->messages[i], expected->messages[i]);
    }
  }
}

TEST_CASE("a malformed page parsed over recycled messages fails as before", "[graph][delta]") {
  auto before = ParseDeltaPage(ReadTestData("graph/delta_page_messages.json"), "Inbox");
  REQUIRE(before.ok());
  crmsync::RecycleMessages(std::move(before->messages));
  auto bad = ParseDeltaPage(R"({"value":[{"id":"X1"},{"subject":"no id"}],"@odata.deltaLink":"https://g/d"})", "Inbox");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kCorruption);
}

TEST_CASE("pages of different sizes reuse each other's messages: a smaller page gives the rest back",
          "[graph][delta]") {
  while (!crmsync::TakeRecycledMessages().empty()) {
  }
  auto page_of = [](int from, int count) {
    std::string json = R"({"value":[)";
    for (int i = 0; i < count; ++i) {
      json += fmt::format(R"({}{{"id":"AAMkAGI2TG93AAA-message-id-long-enough-{:03}","subject":"s"}})", i ? "," : "",
                          from + i);
    }
    return json + R"(],"@odata.deltaLink":"https://g/d?$deltatoken=2"})";
  };
  auto three = ParseDeltaPage(page_of(0, 3), "Inbox");
  REQUIRE(three.ok());
  REQUIRE(three->messages.size() == 3);
  std::set<const char*> buffers;
  for (const auto& m : three->messages) buffers.insert(m.source_id.data());
  crmsync::RecycleMessages(std::move(three->messages));

  auto one = ParseDeltaPage(page_of(10, 1), "Inbox");
  REQUIRE(one.ok());
  REQUIRE(one->messages.size() == 1);
  CHECK(one->messages[0].source_id == "AAMkAGI2TG93AAA-message-id-long-enough-010");
  CHECK(buffers.count(one->messages[0].source_id.data()) == 1);
  crmsync::RecycleMessages(std::move(one->messages));

  // The larger page finds the smaller one's message and the two it gave back.
  auto again = ParseDeltaPage(page_of(20, 3), "Inbox");
  REQUIRE(again.ok());
  REQUIRE(again->messages.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("message " << i);
    CHECK(again->messages[i].source_id == fmt::format("AAMkAGI2TG93AAA-message-id-long-enough-{:03}", 20 + i));
    CHECK(again->messages[i].subject == "s");
    CHECK(buffers.count(again->messages[i].source_id.data()) == 1);
  }
  CHECK(crmsync::TakeRecycledMessages().empty());
}

#include <catch2/catch.hpp>

#include "crmsync/gmail/gmail.hpp"
#include "test_data.hpp"

using namespace crmsync;
using namespace crmsync::gmail;

TEST_CASE("address lists: display names, quoted commas, comments, groups", "[gmail]") {
  auto list = ParseAddressList(
      R"(Name <a@b.example>, c@d.example, "Last, First" <e@f.example>, (comment) g@h.example, )"
      R"("Quote \"Q\" Person" <q@r.example>)");
  REQUIRE(list.size() == 5);
  CHECK(list[0].name == "Name");
  CHECK(list[0].address == "a@b.example");
  CHECK(list[1].name.empty());
  CHECK(list[1].address == "c@d.example");
  CHECK(list[2].name == "Last, First");
  CHECK(list[2].address == "e@f.example");
  CHECK(list[3].address == "g@h.example");
  CHECK(list[4].name == "Quote \"Q\" Person");
  CHECK(list[4].address == "q@r.example");

  auto group = ParseAddressList("Team: x@y.example, \"Z\" <z@y.example>;, w@v.example");
  REQUIRE(group.size() == 3);
  CHECK(group[0].address == "x@y.example");
  CHECK(group[1].address == "z@y.example");
  CHECK(group[2].address == "w@v.example");

  CHECK(ParseAddressList("undisclosed-recipients:;").empty());
  CHECK(ParseAddressList("").empty());
  CHECK(ParseAddressList(",,, ,").empty());
  CHECK(ParseAddressList("not an address").empty());
  // Unterminated constructs end the value without crashing.
  CHECK(ParseAddressList("\"unterminated <a@b.example>").size() <= 1);
  auto open = ParseAddressList("Name <a@b.example");
  REQUIRE(open.size() == 1);
  CHECK(open[0].address == "a@b.example");
  CHECK(ParseAddressList("(((").empty());
  auto folded = ParseAddressList("\"A\r\n  B\" <ab@c.example>");
  REQUIRE(folded.size() == 1);
  CHECK(folded[0].name == "A B");
}

TEST_CASE("internalDate to ISO-8601 UTC", "[gmail]") {
  CHECK(EpochMillisToIso8601("1714557600000") == "2024-05-01T10:00:00Z");
  CHECK(EpochMillisToIso8601("0") == "1970-01-01T00:00:00Z");
  CHECK(EpochMillisToIso8601("1714557600999") == "2024-05-01T10:00:00Z");
  CHECK(EpochMillisToIso8601("").empty());
  CHECK(EpochMillisToIso8601("12a").empty());
  CHECK(EpochMillisToIso8601("99999999999999999999").empty());
}

TEST_CASE("message metadata -> Message", "[gmail]") {
  auto parsed = ParseMessageMetadata(testing::ReadTestData("gmail/message_metadata.json"));
  REQUIRE(parsed.ok());
  const Message& m = parsed->message;
  CHECK(m.source_id == "18f2a1b2c3d4e5f6");
  CHECK(m.internet_message_id == "<CAF=abc123@mail.gmail.com>");
  CHECK(m.subject == "Quote – revised (Ünïcode)");
  CHECK(m.body_text == "Hi Dana, attached is the revised quote &amp; the timeline.");
  CHECK(m.sent_at == "2024-05-01T10:00:00Z");
  CHECK(m.from.address == "alice@acme.example");
  CHECK(m.from.name == "Alice Adams");
  REQUIRE(m.to.size() == 2);
  CHECK(m.to[0].address == "dana@customer.example");
  CHECK(m.to[1].address == "bob@acme.example");
  REQUIRE(m.cc.size() == 2);
  CHECK(m.cc[0].name == "Last, First");
  CHECK(m.bcc.empty());
  CHECK(m.labels == std::vector<std::string>{"SENT", "IMPORTANT", "CATEGORY_PERSONAL"});
  CHECK(m.categories.empty());   // Outlook only
  CHECK_FALSE(m.is_draft);
  CHECK(parsed->history_id == "987654");
  CHECK(m.precedence == "bulk");
  CHECK(m.auto_submitted == "auto-generated");
  CHECK(m.has_list_unsubscribe);
  CHECK_FALSE(m.is_auto_reply);
}

TEST_CASE("message metadata: drafts, minimal and malformed", "[gmail]") {
  auto draft = ParseMessageMetadata(R"({"id":"d1","labelIds":["DRAFT"],"payload":{"headers":[]}})");
  REQUIRE(draft.ok());
  CHECK(draft->message.is_draft);
  CHECK(draft->message.sent_at.empty());
  CHECK_FALSE(draft->message.has_list_unsubscribe);
  CHECK(draft->message.precedence.empty());
  CHECK(draft->message.auto_submitted.empty());

  // Header names are case-insensitive; the first occurrence wins.
  auto headers = ParseMessageMetadata(
      R"({"id":"h1","payload":{"headers":[{"name":"list-unsubscribe","value":""},)"
      R"({"name":"PRECEDENCE","value":"List"},{"name":"Precedence","value":"bulk"},)"
      R"({"name":"auto-submitted","value":"auto-replied"}]}})");
  REQUIRE(headers.ok());
  CHECK(headers->message.has_list_unsubscribe);
  CHECK(headers->message.precedence == "List");
  CHECK(headers->message.auto_submitted == "auto-replied");

  auto missing_id = ParseMessageMetadata(R"({"snippet":"x"})");
  CHECK(missing_id.status().code() == StatusCode::kCorruption);
  CHECK(missing_id.status().message().find("id") != std::string::npos);

  auto bad_labels = ParseMessageMetadata(R"({"id":"x","labelIds":"INBOX"})");
  CHECK(bad_labels.status().message() == "Gmail message: labelIds: expected array");

  auto bad_header = ParseMessageMetadata(R"({"id":"x","payload":{"headers":[{"name":"From","value":5}]}})");
  CHECK(bad_header.status().message() == "Gmail message: payload.headers[0].value: expected string");

  auto bad_date = ParseMessageMetadata(R"({"id":"x","internalDate":"yesterday"})");
  CHECK(bad_date.status().message().find("internalDate") != std::string::npos);

  for (const char* junk : {"", "{", "[]", "{\"id\":\"x\"}}", "{\"id\":\"x\"} x", "\xff\xfe", "null"}) {
    CHECK(ParseMessageMetadata(junk).status().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("list page", "[gmail]") {
  auto page = ParseListPage(testing::ReadTestData("gmail/list_page.json"));
  REQUIRE(page.ok());
  CHECK(page->ids == std::vector<std::string>{"m1", "m2"});
  CHECK(page->next_page_token == "08123456789");
  // Nothing matched: Gmail leaves "messages" out.
  auto empty = ParseListPage(R"({"resultSizeEstimate":0})");
  REQUIRE(empty.ok());
  CHECK(empty->ids.empty());
  CHECK(empty->next_page_token.empty());
  CHECK(ParseListPage(R"({"messages":[{"threadId":"t"}]})").status().message() ==
        "Gmail messages.list page: messages[0].id: missing");
  CHECK(ParseListPage(R"({"messages":{}})").status().code() == StatusCode::kCorruption);
  CHECK(ParseListPage("").status().code() == StatusCode::kCorruption);
}

TEST_CASE("history page", "[gmail]") {
  auto page = ParseHistoryPage(testing::ReadTestData("gmail/history_page.json"));
  REQUIRE(page.ok());
  CHECK(page->ids == std::vector<std::string>{"m7", "m8"});
  CHECK(page->history_id == "1005");
  CHECK(page->next_page_token.empty());
  auto quiet = ParseHistoryPage(R"({"historyId":"77"})");
  REQUIRE(quiet.ok());
  CHECK(quiet->ids.empty());
  CHECK(ParseHistoryPage(R"({"history":[]})").status().message() == "Gmail history.list page: historyId: missing");
  CHECK(ParseHistoryPage(R"({"historyId":"1","history":[{"messagesAdded":[{"message":{"id":3.5}}]}]})")
            .status()
            .code() == StatusCode::kCorruption);
}

TEST_CASE("profile, directory users, send-as", "[gmail]") {
  auto profile = ParseProfileHistoryId(R"({"emailAddress":"a@b","messagesTotal":3,"historyId":"4242"})");
  REQUIRE(profile.ok());
  CHECK(profile.value() == "4242");
  CHECK(!ParseProfileHistoryId(R"({"emailAddress":"a@b"})").ok());

  auto users = ParseDirectoryUsersPage(testing::ReadTestData("gmail/directory_users.json"));
  REQUIRE(users.ok());
  REQUIRE(users->users.size() == 2);
  CHECK(users->users[0].id == "111");
  CHECK(users->users[0].primary_email == "Alice@acme.example");
  CHECK(users->users[0].aliases == std::vector<std::string>{"a.adams@acme.example"});
  CHECK_FALSE(users->users[0].suspended);
  CHECK(users->users[1].suspended);
  CHECK(users->next_page_token == "dir-page-2");
  CHECK(ParseDirectoryUsersPage(R"({"users":[{"id":"1"}]})").status().message() ==
        "Directory users page: users[0].primaryEmail: missing");

  auto send_as = ParseSendAsList(
      R"({"sendAs":[{"sendAsEmail":"alice@acme.example","isPrimary":true},{"sendAsEmail":"sales@acme.example"}]})");
  REQUIRE(send_as.ok());
  CHECK(send_as.value() == std::vector<std::string>{"alice@acme.example", "sales@acme.example"});
  CHECK(!ParseSendAsList(R"({"sendAs":[{"isPrimary":true}]})").ok());
}

TEST_CASE("Google error bodies", "[gmail]") {
  auto error = ParseGoogleError(
      R"({"error":{"code":403,"message":"User-rate limit exceeded.","errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded","message":"x"}],"status":"PERMISSION_DENIED"}})");
  CHECK(error.reasons == std::vector<std::string>{"userRateLimitExceeded"});
  CHECK(error.message == "User-rate limit exceeded.");
  CHECK(ParseGoogleError("not json").reasons.empty());
}

TEST_CASE("URLs", "[gmail]") {
  CHECK(MessagesListUrl("https://g.test", "alice@acme.example", "2026/01/01", 900, "") ==
        "https://g.test/gmail/v1/users/alice%40acme.example/messages?maxResults=500&q=after%3A2026%2F01%2F01%20-in%3Achats");
  CHECK(MessagesListUrl("https://g.test", "me", "", 100, "tok") ==
        "https://g.test/gmail/v1/users/me/messages?maxResults=100&q=-in%3Achats&pageToken=tok");
  CHECK(HistoryListUrl("https://g.test", "me", "1234", 100, "p2") ==
        "https://g.test/gmail/v1/users/me/history?startHistoryId=1234&historyTypes=messageAdded&maxResults=100&pageToken=p2");
  CHECK(ProfileUrl("https://g.test", "me") == "https://g.test/gmail/v1/users/me/profile");
  CHECK(SendAsUrl("https://g.test", "me") == "https://g.test/gmail/v1/users/me/settings/sendAs");
  CHECK(MessageMetadataPath("me", "m1") ==
        "/gmail/v1/users/me/messages/m1?format=metadata&metadataHeaders=From&metadataHeaders=To"
        "&metadataHeaders=Cc&metadataHeaders=Bcc&metadataHeaders=Date&metadataHeaders=Message-ID"
        "&metadataHeaders=Subject&metadataHeaders=List-Unsubscribe&metadataHeaders=Precedence"
        "&metadataHeaders=Auto-Submitted");
  CHECK(DirectoryUsersUrl("https://admin.test", "my_customer", "") ==
        "https://admin.test/admin/directory/v1/users?customer=my_customer&maxResults=500");
  CHECK(BatchUrl("https://g.test") == "https://g.test/batch/gmail/v1");
}

TEST_CASE("labels list: ids to names", "[gmail]") {
  auto names = ParseLabelsList(
      R"({"labels":[{"id":"INBOX","name":"INBOX","type":"system"},{"id":"Label_12","name":"CRM \u2013 Kunden"}]})");
  REQUIRE(names.ok());
  CHECK(names->at("Label_12") == "CRM \xE2\x80\x93 Kunden");
  crmsync::Message m;
  m.labels = {"INBOX", "Label_12", "Label_99"};
  ApplyLabelNames(*names, m);
  CHECK(m.labels == std::vector<std::string>{"INBOX", "CRM \xE2\x80\x93 Kunden", "Label_99"});
  auto empty = ParseLabelsList("{}");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  for (const char* bad : {"", "{", R"({"labels":{}})", R"({"labels":[{"name":"x"}]})", R"({"labels":[{"id":1}]})"}) {
    INFO(bad);
    CHECK(ParseLabelsList(bad).status().code() == StatusCode::kCorruption);
  }
}

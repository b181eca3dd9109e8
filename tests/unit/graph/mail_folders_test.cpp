// Selective capture by folder on Microsoft Graph: the folder listing's URL and
// parser, and GraphMailSource's folder streams (listing pages that lead to
// the folder's delta, or end when the mailbox has no such folder).
#include <future>
#include <string>

#include <catch2/catch.hpp>

#include "crmsync/graph/mail_folders.hpp"
#include "crmsync/graph/mail_source.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync::testing;
using crmsync::MailUser;
using crmsync::StatusCode;
using crmsync::graph::FindFolderByName;
using crmsync::graph::GraphMailSource;
using crmsync::graph::IsMailFoldersUrl;
using crmsync::graph::MailFoldersUrl;
using crmsync::graph::ParseMailFoldersPage;

namespace {

crmsync::graph::GraphClientOptions Options() {
  crmsync::graph::GraphClientOptions options;
  options.graph_url = "https://graph.test/";
  options.max_attempts = 1;
  return options;
}

MailUser Ann() {
  MailUser user;
  user.id = "u-1";
  user.primary = "ann@x.example";
  user.aliases = {"ann@x.example"};
  return user;
}

crmsync::Result<crmsync::MailPage> FetchAndParse(GraphMailSource& source, const MailUser& user,
                                                 const std::string& stream, const std::string& cursor) {
  std::promise<crmsync::Result<crmsync::RawPage>> fetched;
  source.FetchPage(user, stream, cursor, [&fetched](crmsync::Result<crmsync::RawPage> raw) {
    fetched.set_value(std::move(raw));
  });
  auto raw = fetched.get_future().get();
  if (!raw.ok()) return raw.status();
  return source.ParsePage(std::move(raw.value()));
}

constexpr const char* kDeltaPage =
    R"({"value":[{"id":"m-1","internetMessageId":"<a@x.example>","subject":"Renewal",)"
    R"("from":{"emailAddress":{"address":"c@customer.example"}},)"
    R"("toRecipients":[{"emailAddress":{"address":"ann@x.example"}}]}],)"
    R"("@odata.deltaLink":"https://graph.test/v1.0/users/u-1/mailFolders/f-crm/messages/delta?$deltatoken=d1"})";

}  // namespace

TEST_CASE("mailFolders URL lists the top-level folders by id and display name", "[graph][folders]") {
  CHECK(MailFoldersUrl("https://graph.test/", "u 1") ==
        "https://graph.test/v1.0/users/u%201/mailFolders?$select=id,displayName&$top=100");
  CHECK(IsMailFoldersUrl(MailFoldersUrl("https://graph.test", "u-1")));
  CHECK(IsMailFoldersUrl("https://graph.test/v1.0/users/u-1/mailFolders?%24top=100&%24skip=100"));
  CHECK(IsMailFoldersUrl("https://graph.test/v1.0/users/u-1/MailFolders"));
  CHECK_FALSE(IsMailFoldersUrl("https://graph.test/v1.0/users/u-1/mailFolders/f-1/messages/delta?$deltatoken=x"));
  CHECK_FALSE(IsMailFoldersUrl("https://graph.test/v1.0/users/u-1/mailFolders/inbox/messages/delta"));
  CHECK_FALSE(IsMailFoldersUrl(""));
}

TEST_CASE("a mailFolders page gives folders and the next link, names match ignoring case", "[graph][folders]") {
  auto page = ParseMailFoldersPage(
      R"({"@odata.context":"x","@odata.nextLink":"https://graph.test/next",)"
      R"("value":[{"id":"f-1","displayName":"Inbox","childFolderCount":2},{"id":"f-2","displayName":"Crm"},)"
      R"({"id":"f-3","displayName":null}]})");
  REQUIRE(page.ok());
  REQUIRE(page->folders.size() == 3);
  CHECK(page->next_link == "https://graph.test/next");
  const auto* crm = FindFolderByName(page.value(), "CRM");
  REQUIRE(crm != nullptr);
  CHECK(crm->id == "f-2");
  CHECK(FindFolderByName(page.value(), "inbox")->id == "f-1");
  CHECK(FindFolderByName(page.value(), "CRM ") == nullptr);
  CHECK(FindFolderByName(page.value(), "Clients") == nullptr);

  auto last = ParseMailFoldersPage(R"({"value":[]})");
  REQUIRE(last.ok());
  CHECK(last->folders.empty());
  CHECK(last->next_link.empty());
}

TEST_CASE("malformed mailFolders pages are kCorruption naming the field", "[graph][folders]") {
  struct Bad {
    const char* body;
    const char* mentions;
  };
  auto bad = GENERATE(Bad{R"({"value":[{"id":"f-1","displayName":"In)", "mailFolders"},
                      Bad{R"({"value":[{"displayName":"CRM"}]})", "value[0].id"},
                      Bad{R"({"value":[{"id":7}]})", "value[0].id"},
                      Bad{R"({"value":{"id":"f-1"}})", "value"},
                      Bad{R"({"@odata.nextLink":"x"})", "value: missing"},
                      Bad{"{\"value\":[{\"id\":\"f-1\",\"displayName\":\"\xff\xfe\"}]}", "mailFolders"},
                      Bad{"", "mailFolders"});
  INFO(bad.body);
  auto page = ParseMailFoldersPage(bad.body);
  REQUIRE_FALSE(page.ok());
  CHECK(page.status().code() == StatusCode::kCorruption);
  CHECK_THAT(page.status().message(), Catch::Contains(bad.mentions));
}

TEST_CASE("capture folders add one stream each, Inbox, Sent Items and repeats add none", "[graph][folders]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  GraphMailSource source(transport, tokens, Options());
  CHECK(source.StreamKinds() == std::vector<std::string>{"mail/inbox", "mail/sentitems"});
  source.SetCaptureFolders({"CRM", "inbox", "Sent Items", "crm", "Key Accounts"});
  CHECK(source.StreamKinds() ==
        std::vector<std::string>{"mail/inbox", "mail/sentitems", "mail/folder/crm", "mail/folder/key accounts"});
  CHECK(source.InitialCursor(Ann(), "mail/folder/crm") == MailFoldersUrl("https://graph.test", "u-1"));
  CHECK(source.InitialCursor(Ann(), "mail/inbox").find("/mailFolders/inbox/messages/delta") != std::string::npos);
}

TEST_CASE("a folder stream follows the listing to its folder, then reads it with delta", "[graph][folders]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  GraphMailSource source(transport, tokens, Options());
  source.SetCaptureFolders({"CRM"});
  const MailUser ann = Ann();
  const std::string stream = "mail/folder/crm";

  transport.Reply(200, R"({"value":[{"id":"f-in","displayName":"Inbox"}],)"
                       R"("@odata.nextLink":"https://graph.test/v1.0/users/u-1/mailFolders?$top=100&$skip=100"})");
  auto first = FetchAndParse(source, ann, stream, source.InitialCursor(ann, stream));
  REQUIRE(first.ok());
  CHECK(first->messages.empty());
  CHECK_FALSE(first->last);
  CHECK(first->next_cursor == "https://graph.test/v1.0/users/u-1/mailFolders?$top=100&$skip=100");

  transport.Reply(200, R"({"value":[{"id":"f-crm","displayName":"crm"}]})");
  auto second = FetchAndParse(source, ann, stream, first->next_cursor);
  REQUIRE(second.ok());
  CHECK(second->messages.empty());
  CHECK_FALSE(second->last);
  CHECK(second->next_cursor.find("https://graph.test/v1.0/users/u-1/mailFolders/f-crm/messages/delta?$select=") == 0);

  transport.Reply(200, kDeltaPage);
  auto third = FetchAndParse(source, ann, stream, second->next_cursor);
  REQUIRE(third.ok());
  REQUIRE(third->messages.size() == 1);
  CHECK(third->messages[0].folder == "CRM");   // the configured name: what capture rules compare
  CHECK(third->last);
  CHECK(third->next_cursor.find("$deltatoken=d1") != std::string::npos);

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].url == MailFoldersUrl("https://graph.test", "u-1"));
  CHECK(requests[2].url == second->next_cursor);
}

TEST_CASE("a mailbox without the folder ends the stream, to list again next run", "[graph][folders]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  GraphMailSource source(transport, tokens, Options());
  source.SetCaptureFolders({"CRM"});
  const MailUser ann = Ann();
  transport.Reply(200, R"({"value":[{"id":"f-in","displayName":"Inbox"},{"id":"f-x","displayName":"CRM old"}]})");
  auto page = FetchAndParse(source, ann, "mail/folder/crm", source.InitialCursor(ann, "mail/folder/crm"));
  REQUIRE(page.ok());
  CHECK(page->messages.empty());
  CHECK(page->last);
  CHECK(page->next_cursor == MailFoldersUrl("https://graph.test", "u-1"));

  transport.Reply(200, R"({"value":[{"id":"f-in"}]})");
  transport.Reply(200, R"({"value":[{"displayName":"CRM"}]})");
  auto ok = FetchAndParse(source, ann, "mail/folder/crm", page->next_cursor);
  CHECK(ok.ok());
  auto broken = FetchAndParse(source, ann, "mail/folder/crm", page->next_cursor);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == StatusCode::kCorruption);
}

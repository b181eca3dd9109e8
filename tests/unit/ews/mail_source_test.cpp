// EwsMailSource against a scripted transport: headers, paging, details,
// tombstones, throttling, token refresh and cursor restarts.
#include <catch2/catch.hpp>

#include <optional>

#include "crmsync/ews/ews.hpp"
#include "crmsync/ews/mail_source.hpp"
#include "ews_samples.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"
#include "xml_document.hpp"

using namespace crmsync;
using namespace crmsync::ews;
using crmsync::testing::FakeTokenProvider;
using crmsync::testing::HeaderOf;
using crmsync::testing::ScriptedTransport;
namespace s = crmsync::ews::samples;

namespace {

constexpr const char* kUrl = "https://ews.test/EWS/Exchange.asmx";

EwsMailSourceOptions Options(int page_size = 100) {
  EwsMailSourceOptions o;
  o.client.ews_url = kUrl;
  o.client.max_attempts = 3;
  o.page_size = page_size;
  return o;
}

MailUser Ann() {
  MailUser u;
  u.id = "graph-id-ann";
  u.primary = "ann@org.example";
  u.aliases = {"ann@org.example"};
  return u;
}

// The queue-mode transport and the fake token provider answer on this
// thread, so a fetch completes before FetchPage returns.
Result<RawPage> FetchNow(EwsMailSource& source, const std::string& cursor) {
  std::optional<Result<RawPage>> out;
  source.FetchPage(Ann(), "mail/inbox", cursor, [&](Result<RawPage> page) { out.emplace(std::move(page)); });
  REQUIRE(out.has_value());
  return std::move(*out);
}

std::string Operation(const http::Request& request) {
  auto doc = detail::XmlDocument::Parse(request.body, "request");
  REQUIRE(doc.ok());
  auto ops = detail::Elements(detail::Child(doc->root(), kSoapNs, "Body"));
  REQUIRE(ops.size() == 1);
  return std::string(detail::LocalName(ops[0]));
}

}  // namespace

TEST_CASE("a page is one sync plus GetItem for its new items, deletes are tombstones", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  transport.Reply(200, s::Sync("STATE1", false, s::Create("A1") + s::ReadFlag("A0") + s::Delete("D1") + s::Create("A2") +
                                                    s::Create("A1")));
  transport.Reply(200, s::GetItem(s::Item("A1") + s::Item("A2", "Second")));

  const std::string initial = source.InitialCursor(Ann(), "mail/inbox");
  CHECK(initial == "ews1:inbox:");
  auto raw = FetchNow(source, initial);
  REQUIRE(raw.ok());

  auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  for (const auto& r : requests) {
    CHECK(r.method == "POST");
    CHECK(r.url == kUrl);
    CHECK(HeaderOf(r, "X-AnchorMailbox") == "ann@org.example");
    CHECK(HeaderOf(r, "Authorization") == "Bearer token-1");
    CHECK(HeaderOf(r, "Content-Type") == "text/xml; charset=utf-8");
  }
  CHECK(Operation(requests[0]) == "SyncFolderItems");
  CHECK(Operation(requests[1]) == "GetItem");

  auto page = source.ParsePage(std::move(raw.value()));
  REQUIRE(page.ok());
  CHECK(page->next_cursor == "ews1:inbox:STATE1");
  CHECK_FALSE(page->last);
  REQUIRE(page->messages.size() == 3);   // A1 once, A2, tombstone D1; the read flag is ignored
  CHECK(page->messages[0].source_id == "A1");
  CHECK(page->messages[0].folder == "Inbox");
  CHECK(page->messages[1].subject == "Second");
  CHECK(page->messages[2].source_id == "D1");
  CHECK(page->messages[2].removed);
  CHECK(source.Stats().pages == 1);
  CHECK(source.Stats().requests == 2);
}

TEST_CASE("the next page sends the saved SyncState, a caught-up empty page needs no GetItem", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options(7));
  transport.Reply(200, s::Sync("STATE3", true, ""));
  auto raw = FetchNow(source, "ews1:sentitems:STATE2+/=");
  REQUIRE(raw.ok());
  auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  auto doc = detail::XmlDocument::Parse(requests[0].body, "request");
  REQUIRE(doc.ok());
  auto op = detail::Child(detail::Child(doc->root(), kSoapNs, "Body"), kMessagesNs, "SyncFolderItems");
  CHECK(detail::ChildText(op, kMessagesNs, "SyncState") == "STATE2+/=");
  CHECK(detail::ChildText(op, kMessagesNs, "MaxChangesReturned") == "7");
  CHECK(detail::Attribute(detail::Child(detail::Child(op, kMessagesNs, "SyncFolderId"), kTypesNs, "DistinguishedFolderId"),
                          "Id") == "sentitems");
  auto page = source.ParsePage(std::move(raw.value()));
  REQUIRE(page.ok());
  CHECK(page->last);
  CHECK(page->next_cursor == "ews1:sentitems:STATE3");
  CHECK(page->messages.empty());
}

TEST_CASE("GetItem goes in batches of at most 100 ids", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options(512));
  std::string changes, first, second;
  for (int i = 0; i < 150; ++i) {
    const std::string id = "I" + std::to_string(i);
    changes += s::Create(id);
    (i < 100 ? first : second) += s::Item(id);
  }
  transport.Reply(200, s::Sync("S", true, changes));
  transport.Reply(200, s::GetItem(first));
  transport.Reply(200, s::GetItem(second));
  auto raw = FetchNow(source, "ews1:inbox:");
  REQUIRE(raw.ok());
  CHECK(transport.requests().size() == 3);
  auto page = source.ParsePage(std::move(raw.value()));
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 150);
  CHECK(page->messages[149].source_id == "I149");
}

TEST_CASE("an item deleted between the sync and GetItem becomes a tombstone", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  transport.Reply(200, s::Sync("S", true, s::Create("A1") + s::Create("A2")));
  transport.Reply(200, s::GetItem(s::ItemError("ErrorItemNotFound") + s::Item("A2")));
  auto raw = FetchNow(source, "ews1:inbox:");
  REQUIRE(raw.ok());
  auto page = source.ParsePage(std::move(raw.value()));
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 2);
  CHECK(page->messages[0].removed);
  CHECK(page->messages[0].source_id == "A1");
  CHECK_FALSE(page->messages[1].removed);
}

TEST_CASE("ErrorServerBusy is retried after BackOffMilliseconds", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  SECTION("as an HTTP 500 SOAP fault") {
    transport.Reply(500, s::ServerBusyFault("1200"), {{"content-type", "text/xml"}});
    transport.Reply(200, s::Sync("S", true, ""));
    REQUIRE(FetchNow(source, "ews1:inbox:").ok());
    auto requests = transport.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].delay == std::chrono::milliseconds(1200));
  }
  SECTION("inside a 200 response message") {
    transport.Reply(200, s::SyncError("ErrorServerBusy", "busy"));
    transport.Reply(200, s::Sync("S", true, ""));
    REQUIRE(FetchNow(source, "ews1:inbox:").ok());
    CHECK(transport.requests().size() == 2);
  }
  SECTION("until the attempts run out") {
    for (int i = 0; i < 3; ++i) transport.Reply(500, s::ServerBusyFault("10"));
    auto raw = FetchNow(source, "ews1:inbox:");
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.status().code() == StatusCode::kThrottled);
    CHECK_THAT(raw.status().message(), Catch::Contains("after 3 attempts"));
  }
}

TEST_CASE("ErrorInvalidSyncStateData and foreign cursors are kGone: the folder restarts", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  transport.Reply(200, s::SyncError("ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid."));
  auto raw = FetchNow(source, "ews1:inbox:OLD");
  REQUIRE_FALSE(raw.ok());
  CHECK(raw.status().code() == StatusCode::kGone);
  CHECK(transport.requests().size() == 1);

  for (const char* cursor : {"https://graph.microsoft.com/v1.0/users/x/delta", "ews1:drafts:", "ews1:inbox:<x>"}) {
    INFO(cursor);
    auto r = FetchNow(source, cursor);
    CHECK(r.status().code() == StatusCode::kGone);
  }
  CHECK(transport.requests().size() == 1);   // nothing sent for a cursor it cannot read
}

TEST_CASE("401 refreshes the token once, then reports kUnauthorized", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  SECTION("a refreshed token succeeds") {
    transport.Reply(401, "");
    transport.Reply(200, s::Sync("S", true, ""));
    REQUIRE(FetchNow(source, "ews1:inbox:").ok());
    auto requests = transport.requests();
    REQUIRE(requests.size() == 2);
    CHECK(HeaderOf(requests[1], "Authorization") == "Bearer token-2");
    CHECK(tokens.invalidations() == 1);
  }
  SECTION("refused twice") {
    transport.Reply(401, "");
    transport.Reply(401, "");
    auto raw = FetchNow(source, "ews1:inbox:");
    CHECK(raw.status().code() == StatusCode::kUnauthorized);
    CHECK_THAT(raw.status().message(), !Catch::Contains("token-"));
  }
}

TEST_CASE("malformed responses fail the page with kCorruption", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  SECTION("the sync") {
    transport.Reply(200, "<s:Envelope");
    CHECK(FetchNow(source, "ews1:inbox:").status().code() == StatusCode::kCorruption);
  }
  SECTION("the details, at parse time") {
    transport.Reply(200, s::Sync("S", true, s::Create("A1")));
    transport.Reply(200, s::GetItem(s::Item("A1")).substr(0, 300));
    auto raw = FetchNow(source, "ews1:inbox:");
    REQUIRE(raw.ok());
    auto page = source.ParsePage(std::move(raw.value()));
    CHECK(page.status().code() == StatusCode::kCorruption);
  }
  SECTION("impersonation refused is permanent") {
    transport.Reply(500, s::Fault("ErrorImpersonateUserDenied", "The account does not have permission to impersonate"));
    auto raw = FetchNow(source, "ews1:inbox:");
    CHECK(raw.status().code() == StatusCode::kPermanent);
    CHECK(transport.requests().size() == 1);
  }
}

TEST_CASE("users come from the injected directory", "[ews]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSourceOptions options = Options();
  EwsMailSource without(transport, tokens, options);
  CHECK(without.ListUsers().status().code() == StatusCode::kInvalidArgument);
  options.list_users = [] { return Result<std::vector<MailUser>>(std::vector<MailUser>{Ann()}); };
  EwsMailSource with(transport, tokens, options);
  auto users = with.ListUsers();
  REQUIRE(users.ok());
  CHECK(users->front().primary == "ann@org.example");
  CHECK(with.StreamKinds() == std::vector<std::string>{"mail/inbox", "mail/sentitems"});
}

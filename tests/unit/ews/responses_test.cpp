// Response parsers: changes, items, errors, faults and hostile XML.
#include <catch2/catch.hpp>

#include "crmsync/ews/ews.hpp"
#include "ews_samples.hpp"

using namespace crmsync;
using namespace crmsync::ews;
namespace s = crmsync::ews::samples;

TEST_CASE("SyncFolderItems: state, IncludesLastItemInRange and every kind of change", "[ews]") {
  auto r = ParseSyncFolderItemsResponse(
      s::Sync("STATE2==", false, s::Create("A1") + s::ReadFlag("A2") + s::Delete("A3") +
                                     "<t:Update><t:MeetingRequest><t:ItemId Id=\"A4\" ChangeKey=\"k\"/></t:MeetingRequest></t:Update>"));
  REQUIRE(r.ok());
  CHECK(r->sync_state == "STATE2==");
  CHECK_FALSE(r->includes_last_item);
  REQUIRE(r->changes.size() == 4);
  CHECK(r->changes[0].kind == ChangeKind::kCreate);
  CHECK(r->changes[0].item_id == "A1");
  CHECK(r->changes[0].change_key == "CQAAAB");
  CHECK(r->changes[1].kind == ChangeKind::kReadFlagChange);
  CHECK(r->changes[2].kind == ChangeKind::kDelete);
  CHECK(r->changes[2].item_id == "A3");
  CHECK(r->changes[3].kind == ChangeKind::kUpdate);
  CHECK(r->changes[3].item_id == "A4");

  auto empty = ParseSyncFolderItemsResponse(s::Sync("S", true, ""));
  REQUIRE(empty.ok());
  CHECK(empty->includes_last_item);
  CHECK(empty->changes.empty());
}

TEST_CASE("SyncFolderItems errors are typed", "[ews]") {
  auto gone = ParseSyncFolderItemsResponse(
      s::SyncError("ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid."));
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.status().code() == StatusCode::kGone);
  CHECK_THAT(gone.status().message(), Catch::Contains("ErrorInvalidSyncStateData"));

  auto denied = ParseSyncFolderItemsResponse(s::SyncError("ErrorAccessDenied", "Access is denied."));
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.status().code() == StatusCode::kPermanent);
  CHECK_THAT(denied.status().message(), Catch::Contains("Access is denied."));

  auto busy = ParseSyncFolderItemsResponse(s::ServerBusyFault("297749"));
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.status().code() == StatusCode::kThrottled);
  CHECK(busy.status().retry_after() == std::chrono::milliseconds(297749));
}

TEST_CASE("SyncFolderItems responses missing what the protocol requires are corrupt", "[ews]") {
  auto no_state = ParseSyncFolderItemsResponse(s::Sync("", true, ""));
  CHECK(no_state.status().code() == StatusCode::kCorruption);
  CHECK_THAT(no_state.status().message(), Catch::Contains("SyncState"));
  auto no_id = ParseSyncFolderItemsResponse(s::Sync("S", true, "<t:Create><t:Message/></t:Create>"));
  CHECK(no_id.status().code() == StatusCode::kCorruption);
  auto odd = ParseSyncFolderItemsResponse(s::Sync("S", true, "<t:Move><t:ItemId Id=\"x\"/></t:Move>"));
  CHECK(odd.status().code() == StatusCode::kCorruption);
  CHECK_THAT(odd.status().message(), Catch::Contains("Move"));
  // Right names in the wrong namespace are not EWS elements.
  std::string wrong_ns = s::Sync("S", true, "");
  wrong_ns.replace(wrong_ns.find("services/2006/messages"), 22, "services/2006/mezzages");
  CHECK(ParseSyncFolderItemsResponse(wrong_ns).status().code() == StatusCode::kCorruption);
}

TEST_CASE("GetItem: every field of a message, by namespace URI", "[ews]") {
  auto r = ParseGetItemResponse(s::GetItem(s::Item("A1")), {"A1"});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  const FetchedItem& item = r->front();
  REQUIRE(item.found);
  const Message& m = item.message;
  CHECK(m.source_id == "A1");
  CHECK(m.internet_message_id == "<A1@org.example>");
  CHECK(m.subject == "Quarterly review");
  CHECK(m.body_text == "Hello & welcome, Zoë");
  CHECK(m.sent_at == "2026-05-01T10:00:00Z");
  CHECK(m.from.address == "me@org.example");
  CHECK(m.from.name == "Me");
  REQUIRE(m.to.size() == 2);
  CHECK(m.to[1].address == "bob@customer.example");
  REQUIRE(m.cc.size() == 1);
  CHECK(m.cc[0].address == "cc@org.example");
  CHECK(m.bcc.empty());
  CHECK(m.categories == std::vector<std::string>{"Customer", "Red"});
  CHECK_FALSE(m.is_draft);
  CHECK(m.precedence == "bulk");
  CHECK(m.auto_submitted == "auto-generated");
  CHECK(m.has_list_unsubscribe);
  CHECK_FALSE(m.is_auto_reply);
}

TEST_CASE("GetItem: a CR sent as &#13, survives, raw line ends are normalized", "[ews]") {
  std::string item = s::Item("A1");
  item.replace(item.find("Hello &amp; welcome"), 19, "line1&#13;\nline2\r\nline3");
  auto r = ParseGetItemResponse(s::GetItem(item), {"A1"});
  REQUIRE(r.ok());
  CHECK(r->front().message.body_text == "line1\r\nline2\nline3, Zoë");
}

TEST_CASE("GetItem: the first Precedence and Auto-Submitted headers win", "[ews]") {
  std::string item = s::Item("A1");
  const std::string later = R"(<x:InternetMessageHeader HeaderName="PRECEDENCE">first-class</x:InternetMessageHeader>)"
                            R"(<x:InternetMessageHeader HeaderName="Auto-Submitted">no</x:InternetMessageHeader>)";
  item.insert(item.find("</x:InternetMessageHeaders>"), later);
  auto r = ParseGetItemResponse(s::GetItem(item), {"A1"});
  REQUIRE(r.ok());
  CHECK(r->front().message.precedence == "bulk");
  CHECK(r->front().message.auto_submitted == "auto-generated");
}

TEST_CASE("GetItem: a deleted item is not found, other item errors fail the batch", "[ews]") {
  auto r = ParseGetItemResponse(s::GetItem(s::Item("A1") + s::ItemError("ErrorItemNotFound")), {"A1", "A2"});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].found);
  CHECK_FALSE((*r)[1].found);
  CHECK((*r)[1].requested_id == "A2");

  auto busy = ParseGetItemResponse(s::GetItem(s::Item("A1") + s::ItemError("ErrorServerBusy")), {"A1", "A2"});
  CHECK(busy.status().code() == StatusCode::kThrottled);
  auto mismatch = ParseGetItemResponse(s::GetItem(s::Item("A1")), {"A1", "A2"});
  CHECK(mismatch.status().code() == StatusCode::kCorruption);
  CHECK_THAT(mismatch.status().message(), Catch::Contains("1 response messages for 2"));
  std::string draft = s::Item("A1");
  draft.replace(draft.find("<x:IsDraft>false"), 16, "<x:IsDraft>maybe");
  auto bad_bool = ParseGetItemResponse(s::GetItem(draft), {"A1"});
  CHECK(bad_bool.status().code() == StatusCode::kCorruption);
  CHECK_THAT(bad_bool.status().message(), Catch::Contains("IsDraft"));
}

TEST_CASE("SOAP faults: ErrorServerBusy with and without BackOffMilliseconds, and others", "[ews]") {
  Status busy = ParseSoapFault(500, s::ServerBusyFault("1200"));
  CHECK(busy.code() == StatusCode::kThrottled);
  CHECK(busy.retry_after() == std::chrono::milliseconds(1200));
  Status no_hint = ParseSoapFault(500, s::ServerBusyFault(""));
  CHECK(no_hint.code() == StatusCode::kThrottled);
  CHECK(no_hint.retry_after() == std::chrono::milliseconds(0));
  Status denied = ParseSoapFault(500, s::Fault("ErrorImpersonateUserDenied", "The account does not have permission"));
  CHECK(denied.code() == StatusCode::kPermanent);
  CHECK_THAT(denied.message(), Catch::Contains("ErrorImpersonateUserDenied"));
  Status html = ParseSoapFault(500, "<html><body>Server Error</body></html>");
  CHECK(html.code() == StatusCode::kTransient);
  CHECK_THAT(html.message(), Catch::Contains("500"));
}

TEST_CASE("hostile XML gives a clear error, never a crash", "[ews]") {
  const std::string good = s::Sync("S", true, s::Create("A1"));
  SECTION("truncated at every length") {
    for (std::size_t n = 0; n < good.size(); n += 7) {
      auto r = ParseSyncFolderItemsResponse(std::string_view(good).substr(0, n));
      CHECK_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kCorruption);
    }
  }
  SECTION("invalid UTF-8") {
    std::string bad = s::GetItem(s::Item("A1", "bad \xC3\x28 bytes"));
    auto r = ParseGetItemResponse(bad, {"A1"});
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK_THAT(r.status().message(), Catch::Contains("malformed XML"));
  }
  SECTION("a DOCTYPE (entity expansion) is refused") {
    std::string bomb = R"(<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>)" +
                       good.substr(good.find("<s:Envelope"));
    auto r = ParseSyncFolderItemsResponse(bomb);
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK_THAT(r.status().message(), Catch::Contains("DOCTYPE"));
  }
  SECTION("not SOAP, empty, JSON") {
    CHECK(ParseSyncFolderItemsResponse("").status().code() == StatusCode::kCorruption);
    CHECK(ParseSyncFolderItemsResponse(R"({"error":"x"})").status().code() == StatusCode::kCorruption);
    auto other_root = ParseSyncFolderItemsResponse("<a/>");
    CHECK_THAT(other_root.status().message(), Catch::Contains("not a SOAP Envelope"));
  }
  SECTION("over the size limit") {
    std::string huge(kMaxResponseBytes + 1, ' ');
    auto r = ParseGetItemResponse(huge, {"A1"});
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK_THAT(r.status().message(), Catch::Contains("limit"));
  }
}

namespace {

std::string FindItemResponse(const std::string& root_attributes, const std::string& items,
                             const std::string& response_class = "Success") {
  return s::Envelope(
      R"(<m:FindItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" )"
      R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>)"
      R"(<m:FindItemResponseMessage ResponseClass=")" + response_class +
      R"("><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder )" + root_attributes + "><t:Items>" + items +
      "</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>");
}

}  // namespace

TEST_CASE("FindItem (backfill window): item ids, IndexedPagingOffset, IncludesLastItemInRange", "[ews][backfill]") {
  const std::string two = R"(<t:Message><t:ItemId Id="I1" ChangeKey="k"/></t:Message>)"
                          R"(<t:Message><t:ItemId Id="I2" ChangeKey="k"/></t:Message>)";
  auto page = ParseFindItemResponse(
      FindItemResponse(R"(IndexedPagingOffset="12" TotalItemsInView="30" IncludesLastItemInRange="false")", two));
  REQUIRE(page.ok());
  CHECK(page->item_ids == std::vector<std::string>{"I1", "I2"});
  CHECK(page->next_offset == 12);
  CHECK_FALSE(page->includes_last_item);

  auto last = ParseFindItemResponse(FindItemResponse(R"(TotalItemsInView="0" IncludesLastItemInRange="true")", ""));
  REQUIRE(last.ok());
  CHECK(last->includes_last_item);
  CHECK(last->item_ids.empty());

  auto no_offset = ParseFindItemResponse(FindItemResponse(R"(IncludesLastItemInRange="false")", two));
  CHECK(no_offset.status().code() == StatusCode::kCorruption);
  CHECK(no_offset.status().message().find("IndexedPagingOffset") != std::string::npos);
  auto no_id = ParseFindItemResponse(
      FindItemResponse(R"(IndexedPagingOffset="1" IncludesLastItemInRange="true")", "<t:Message></t:Message>"));
  CHECK(no_id.status().code() == StatusCode::kCorruption);
  auto truncated = ParseFindItemResponse(FindItemResponse(R"(IncludesLastItemInRange="true")", two).substr(0, 200));
  CHECK(truncated.status().code() == StatusCode::kCorruption);
  auto refused = ParseFindItemResponse(s::SyncError("ErrorInvalidRestriction", "no"));
  CHECK_FALSE(refused.ok());
}

TEST_CASE("FindItem request: IdOnly, an And of the two DateTimeReceived bounds, ascending, offset paging",
          "[ews][backfill]") {
  const std::string envelope = BuildFindItemWindow("ann@contoso.example", "inbox", 1767225600, 1769904000, 40, 5000);
  CHECK(envelope.find(R"(<m:IndexedPageItemView MaxEntriesReturned="1000" Offset="40" BasePoint="Beginning"/>)") !=
        std::string::npos);
  CHECK(envelope.find(R"(<t:IsGreaterThanOrEqualTo><t:FieldURI FieldURI="item:DateTimeReceived"/><t:FieldURIOrConstant>)"
                      R"(<t:Constant Value="2026-01-01T00:00:00Z"/>)") != std::string::npos);
  CHECK(envelope.find(R"(<t:IsLessThan><t:FieldURI FieldURI="item:DateTimeReceived"/><t:FieldURIOrConstant>)"
                      R"(<t:Constant Value="2026-02-01T00:00:00Z"/>)") != std::string::npos);
  CHECK(envelope.find(R"(<t:DistinguishedFolderId Id="inbox"/>)") != std::string::npos);
  CHECK(envelope.find("<t:PrimarySmtpAddress>ann@contoso.example</t:PrimarySmtpAddress>") != std::string::npos);
}

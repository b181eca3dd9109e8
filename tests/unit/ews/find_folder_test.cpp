// Selective capture by folder on EWS: the FindFolder request and parser, and
// EwsMailSource's folder streams (FindFolder, then SyncFolderItems by FolderId).
#include <catch2/catch.hpp>

#include <optional>

#include "crmsync/ews/ews.hpp"
#include "crmsync/ews/find_folder.hpp"
#include "crmsync/ews/mail_source.hpp"
#include "ews_samples.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"
#include "xml_document.hpp"

using namespace crmsync;
using namespace crmsync::ews;
using crmsync::testing::FakeTokenProvider;
using crmsync::testing::ScriptedTransport;
namespace s = crmsync::ews::samples;

namespace {

std::string FindFolderReply(const std::string& folders, const std::string& response_class = "Success") {
  return s::Envelope(R"(<m:FindFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" )"
                     R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>)"
                     R"(<m:FindFolderResponseMessage ResponseClass=")" +
                     response_class + R"("><m:ResponseCode>NoError</m:ResponseCode>)" +
                     R"(<m:RootFolder TotalItemsInView="2" IncludesLastItemInRange="true"><t:Folders>)" + folders +
                     "</t:Folders></m:RootFolder></m:FindFolderResponseMessage></m:ResponseMessages></m:FindFolderResponse>");
}

std::string Folder(const std::string& id, const std::string& name) {
  return R"(<t:Folder><t:FolderId Id=")" + id + R"(" ChangeKey="AQ"/><t:DisplayName>)" + name +
         "</t:DisplayName></t:Folder>";
}

MailUser Ann() {
  MailUser u;
  u.id = "graph-id-ann";
  u.primary = "ann@org.example";
  u.aliases = {"ann@org.example"};
  return u;
}

EwsMailSourceOptions Options() {
  EwsMailSourceOptions o;
  o.client.ews_url = "https://ews.test/EWS/Exchange.asmx";
  o.client.max_attempts = 1;
  return o;
}

Result<MailPage> FetchAndParse(EwsMailSource& source, const std::string& stream, const std::string& cursor) {
  std::optional<Result<RawPage>> raw;
  source.FetchPage(Ann(), stream, cursor, [&](Result<RawPage> page) { raw.emplace(std::move(page)); });
  REQUIRE(raw.has_value());
  if (!raw->ok()) return raw->status();
  return source.ParsePage(std::move(raw->value()));
}

}  // namespace

TEST_CASE("FindFolder lists the top-level folders under msgfolderroot with their display names", "[ews][folders]") {
  const std::string envelope = BuildFindFolder("o'neil@org.example");
  auto doc = detail::XmlDocument::Parse(envelope, "request");
  REQUIRE(doc.ok());
  auto find = detail::Child(detail::Child(doc->root(), kSoapNs, "Body"), kMessagesNs, "FindFolder");
  REQUIRE(find != nullptr);
  CHECK(detail::Attribute(find, "Traversal") == "Shallow");
  auto parent = detail::Child(detail::Child(find, kMessagesNs, "ParentFolderIds"), kTypesNs, "DistinguishedFolderId");
  CHECK(detail::Attribute(parent, "Id") == "msgfolderroot");
  CHECK(envelope.find(R"(FieldURI="folder:DisplayName")") != std::string::npos);
  CHECK(envelope.find("o&apos;neil@org.example") != std::string::npos);
}

TEST_CASE("a FindFolder response gives the folders, names match ignoring case", "[ews][folders]") {
  auto folders = ParseFindFolderResponse(FindFolderReply(Folder("AAMkIn==", "Inbox") + Folder("AAMkCrm=", "crm")));
  REQUIRE(folders.ok());
  REQUIRE(folders->size() == 2);
  const EwsFolder* crm = FindEwsFolderByName(folders.value(), "CRM");
  REQUIRE(crm != nullptr);
  CHECK(crm->id == "AAMkCrm=");
  CHECK(FindEwsFolderByName(folders.value(), "Clients") == nullptr);

  auto error = ParseFindFolderResponse(s::Envelope(
      R"(<m:FindFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">)"
      R"(<m:ResponseMessages><m:FindFolderResponseMessage ResponseClass="Error">)"
      R"(<m:MessageText>busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode>)"
      R"(</m:FindFolderResponseMessage></m:ResponseMessages></m:FindFolderResponse>)"));
  REQUIRE_FALSE(error.ok());
  CHECK(error.status().code() == StatusCode::kThrottled);

  for (const std::string& bad : {FindFolderReply(Folder("", "CRM")), std::string("<soap:Envelope"),
                                 s::Envelope("<m:Other/>"), std::string("\xff\xfe")}) {
    INFO(bad);
    auto parsed = ParseFindFolderResponse(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kCorruption);
    CHECK_THAT(parsed.status().message(), Catch::Contains("FindFolder response"));
  }
}

TEST_CASE("an EWS folder stream finds its folder, then syncs it by FolderId", "[ews][folders]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  source.SetCaptureFolders({"CRM", "Inbox", "crm"});
  CHECK(source.StreamKinds() == std::vector<std::string>{"mail/inbox", "mail/sentitems", "mail/folder/crm"});
  const std::string initial = source.InitialCursor(Ann(), "mail/folder/crm");
  CHECK(initial == "ews1:find:");

  transport.Reply(200, FindFolderReply(Folder("AAMkIn==", "Inbox") + Folder("AAMk/Crm+", "Crm")));
  auto found = FetchAndParse(source, "mail/folder/crm", initial);
  REQUIRE(found.ok());
  CHECK(found->messages.empty());
  CHECK_FALSE(found->last);
  CHECK(found->next_cursor == "ews1:id.AAMk/Crm+:");

  transport.Reply(200, s::Sync("STATE1", true, s::Create("A1")));
  transport.Reply(200, s::GetItem(s::Item("A1")));
  auto page = FetchAndParse(source, "mail/folder/crm", found->next_cursor);
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 1);
  CHECK(page->messages[0].folder == "CRM");
  CHECK(page->last);
  CHECK(page->next_cursor == "ews1:id.AAMk/Crm+:STATE1");
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].body.find(R"(<m:SyncFolderId><t:FolderId Id="AAMk/Crm+"/></m:SyncFolderId>)") != std::string::npos);
}

TEST_CASE("an EWS mailbox without the folder ends the stream, to look again next run", "[ews][folders]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  EwsMailSource source(transport, tokens, Options());
  source.SetCaptureFolders({"CRM"});
  transport.Reply(200, FindFolderReply(Folder("AAMkIn==", "Inbox")));
  auto page = FetchAndParse(source, "mail/folder/crm", "ews1:find:");
  REQUIRE(page.ok());
  CHECK(page->messages.empty());
  CHECK(page->last);
  CHECK(page->next_cursor == "ews1:find:");
  // A folder cursor whose stream no configuration names any more restarts.
  auto orphan = FetchAndParse(source, "mail/folder/old", "ews1:find:");
  REQUIRE_FALSE(orphan.ok());
  CHECK(orphan.status().code() == StatusCode::kGone);
}

// SOAP requests: namespaces, impersonation, escaping, MaxChangesReturned bounds.
#include <catch2/catch.hpp>

#include "crmsync/ews/ews.hpp"
#include "xml_document.hpp"

using namespace crmsync::ews;
using namespace crmsync::ews::detail;

namespace {

XmlNode Header(const XmlDocument& doc) { return Child(doc.root(), kSoapNs, "Header"); }
XmlNode Operation(const XmlDocument& doc, const char* name) {
  return Child(Child(doc.root(), kSoapNs, "Body"), kMessagesNs, name);
}

}  // namespace

TEST_CASE("SyncFolderItems names the server version, the impersonated mailbox and the folder", "[ews]") {
  const std::string xml = BuildSyncFolderItems("ann@org.example", "inbox", "H4sIAAA=", 100);
  auto doc = XmlDocument::Parse(xml, "request");
  REQUIRE(doc.ok());
  XmlNode header = Header(doc.value());
  CHECK(Attribute(Child(header, kTypesNs, "RequestServerVersion"), "Version") == "Exchange2013_SP1");
  XmlNode sid = Child(Child(header, kTypesNs, "ExchangeImpersonation"), kTypesNs, "ConnectingSID");
  CHECK(ChildText(sid, kTypesNs, "PrimarySmtpAddress") == "ann@org.example");
  XmlNode op = Operation(doc.value(), "SyncFolderItems");
  REQUIRE(op != nullptr);
  CHECK(ChildText(Child(op, kMessagesNs, "ItemShape"), kTypesNs, "BaseShape") == "IdOnly");
  CHECK(Attribute(Child(Child(op, kMessagesNs, "SyncFolderId"), kTypesNs, "DistinguishedFolderId"), "Id") == "inbox");
  CHECK(ChildText(op, kMessagesNs, "SyncState") == "H4sIAAA=");
  CHECK(ChildText(op, kMessagesNs, "MaxChangesReturned") == "100");
}

TEST_CASE("the first sync leaves SyncState out and MaxChangesReturned stays within 1..512", "[ews]") {
  auto first = XmlDocument::Parse(BuildSyncFolderItems("a@b.example", "sentitems", "", 5000), "request");
  REQUIRE(first.ok());
  XmlNode op = Operation(first.value(), "SyncFolderItems");
  CHECK(Child(op, kMessagesNs, "SyncState") == nullptr);
  CHECK(ChildText(op, kMessagesNs, "MaxChangesReturned") == "512");
  auto low = XmlDocument::Parse(BuildSyncFolderItems("a@b.example", "inbox", "", 0), "request");
  REQUIRE(low.ok());
  CHECK(ChildText(Operation(low.value(), "SyncFolderItems"), kMessagesNs, "MaxChangesReturned") == "1");
}

TEST_CASE("text is escaped: markup in an address cannot break out of its element", "[ews]") {
  CHECK(XmlEscape(R"(a<b>&"c'd)") == "a&lt;b&gt;&amp;&quot;c&apos;d");
  CHECK(XmlEscape(std::string("x\x01y\tz", 5)) == "xy\tz");
  CHECK(XmlEscape("a\r\nb") == "a&#13;\nb");
  const std::string xml = BuildSyncFolderItems("evil</t:PrimarySmtpAddress><x>@org.example", "inbox", "", 10);
  auto doc = XmlDocument::Parse(xml, "request");
  REQUIRE(doc.ok());
  XmlNode sid = Child(Child(Header(doc.value()), kTypesNs, "ExchangeImpersonation"), kTypesNs, "ConnectingSID");
  CHECK(ChildText(sid, kTypesNs, "PrimarySmtpAddress") == "evil</t:PrimarySmtpAddress><x>@org.example");
}

TEST_CASE("GetItem asks for the message properties, body as text, and every id in order", "[ews]") {
  const std::string xml = BuildGetItem("ann@org.example", {"id-1", "id-2", "id\"3"}, true);
  auto doc = XmlDocument::Parse(xml, "request");
  REQUIRE(doc.ok());
  XmlNode op = Operation(doc.value(), "GetItem");
  REQUIRE(op != nullptr);
  XmlNode shape = Child(op, kMessagesNs, "ItemShape");
  CHECK(ChildText(shape, kTypesNs, "BodyType") == "Text");
  std::vector<std::string> fields;
  for (XmlNode f : Children(Child(shape, kTypesNs, "AdditionalProperties"), kTypesNs, "FieldURI")) {
    fields.push_back(Attribute(f, "FieldURI"));
  }
  for (const char* want : {"message:InternetMessageId", "item:Subject", "item:Body", "message:From",
                           "message:ToRecipients", "message:CcRecipients", "message:BccRecipients",
                           "item:DateTimeSent", "item:Categories", "item:IsDraft", "item:InternetMessageHeaders"}) {
    INFO(want);
    CHECK(std::find(fields.begin(), fields.end(), want) != fields.end());
  }
  std::vector<std::string> ids;
  for (XmlNode id : Children(Child(op, kMessagesNs, "ItemIds"), kTypesNs, "ItemId")) ids.push_back(Attribute(id, "Id"));
  CHECK(ids == std::vector<std::string>{"id-1", "id-2", "id\"3"});

  auto no_headers = XmlDocument::Parse(BuildGetItem("a@b.example", {"x"}, false), "request");
  REQUIRE(no_headers.ok());
  bool asked = false;
  XmlNode props = Child(Child(Operation(no_headers.value(), "GetItem"), kMessagesNs, "ItemShape"), kTypesNs,
                        "AdditionalProperties");
  for (XmlNode f : Children(props, kTypesNs, "FieldURI")) asked = asked || Attribute(f, "FieldURI") == "item:InternetMessageHeaders";
  CHECK_FALSE(asked);
}

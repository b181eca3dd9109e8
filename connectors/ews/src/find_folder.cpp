// FindFolder request and response (selective capture by folder).
#include "crmsync/ews/find_folder.hpp"

#include <fmt/format.h>

#include "crmsync/ews/ews.hpp"
#include "xml_document.hpp"

namespace crmsync::ews {
namespace {

using detail::Attribute;
using detail::Child;
using detail::Children;
using detail::ChildText;
using detail::Is;
using detail::XmlDocument;
using detail::XmlNode;

constexpr std::string_view kWhat = "FindFolder response";

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string BuildFindFolder(std::string_view impersonated_smtp) {
  return fmt::format(
      R"(<?xml version="1.0" encoding="utf-8"?>)"
      R"(<soap:Envelope xmlns:soap="{}" xmlns:t="{}" xmlns:m="{}">)"
      R"(<soap:Header><t:RequestServerVersion Version="{}"/>)"
      R"(<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress>)"
      R"(</t:ConnectingSID></t:ExchangeImpersonation></soap:Header>)"
      R"(<soap:Body><m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>)"
      R"(<t:AdditionalProperties><t:FieldURI FieldURI="folder:DisplayName"/></t:AdditionalProperties>)"
      R"(</m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds>)"
      R"(</m:FindFolder></soap:Body></soap:Envelope>)",
      kSoapNs, kTypesNs, kMessagesNs, kRequestServerVersion, XmlEscape(impersonated_smtp));
}

Result<std::vector<EwsFolder>> ParseFindFolderResponse(std::string_view body) {
  auto doc = XmlDocument::Parse(body, kWhat);
  if (!doc.ok()) return doc.status();
  XmlNode envelope = doc->root();
  if (!Is(envelope, kSoapNs, "Envelope")) return Status::Corruption(fmt::format("{}: the root is no SOAP Envelope", kWhat));
  XmlNode soap_body = Child(envelope, kSoapNs, "Body");
  XmlNode message = Child(Child(Child(soap_body, kMessagesNs, "FindFolderResponse"), kMessagesNs, "ResponseMessages"),
                          kMessagesNs, "FindFolderResponseMessage");
  if (message == nullptr) return Status::Corruption(fmt::format("{}: no m:FindFolderResponseMessage", kWhat));
  const std::string response_class = Attribute(message, "ResponseClass");
  if (response_class == "Error") {
    return ClassifyEwsError(ChildText(message, kMessagesNs, "ResponseCode"),
                            ChildText(message, kMessagesNs, "MessageText"), std::nullopt);
  }
  if (response_class != "Success" && response_class != "Warning") {
    return Status::Corruption(fmt::format("{}: ResponseClass \"{}\" is not Success, Warning or Error", kWhat,
                                          response_class));
  }
  XmlNode folders = Child(Child(message, kMessagesNs, "RootFolder"), kTypesNs, "Folders");
  if (folders == nullptr) return Status::Corruption(fmt::format("{}: no m:RootFolder/t:Folders", kWhat));
  std::vector<EwsFolder> out;
  for (XmlNode folder : detail::Elements(folders)) {
    EwsFolder f{Attribute(Child(folder, kTypesNs, "FolderId"), "Id"), ChildText(folder, kTypesNs, "DisplayName")};
    if (f.id.empty()) {
      return Status::Corruption(fmt::format("{}: folder {} has no FolderId Id", kWhat, out.size() + 1));
    }
    out.push_back(std::move(f));
  }
  return out;
}

const EwsFolder* FindEwsFolderByName(const std::vector<EwsFolder>& folders, std::string_view display_name) {
  for (const EwsFolder& folder : folders) {
    if (EqualsIgnoringAsciiCase(folder.display_name, display_name)) return &folder;
  }
  return nullptr;
}

}  // namespace crmsync::ews

// SOAP 1.1 envelopes for SyncFolderItems and GetItem (API-FACTS.md §2.1-2.4).
#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "crmsync/ews/ews.hpp"

namespace crmsync::ews {
namespace {

// Every call names the server version it speaks and the mailbox it acts as.
std::string Envelope(std::string_view impersonated_smtp, std::string_view body) {
  return fmt::format(
      R"(<?xml version="1.0" encoding="utf-8"?>)"
      R"(<soap:Envelope xmlns:soap="{}" xmlns:t="{}" xmlns:m="{}">)"
      R"(<soap:Header>)"
      R"(<t:RequestServerVersion Version="{}"/>)"
      R"(<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress>)"
      R"(</t:ConnectingSID></t:ExchangeImpersonation>)"
      R"(</soap:Header>)"
      R"(<soap:Body>{}</soap:Body></soap:Envelope>)",
      kSoapNs, kTypesNs, kMessagesNs, kRequestServerVersion, XmlEscape(impersonated_smtp), body);
}

std::string IsoUtc(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string ReceivedComparison(std::string_view op, std::int64_t unix_seconds) {
  return fmt::format(R"(<t:{0}><t:FieldURI FieldURI="item:DateTimeReceived"/>)"
                     R"(<t:FieldURIOrConstant><t:Constant Value="{1}"/></t:FieldURIOrConstant></t:{0}>)",
                     op, IsoUtc(unix_seconds));
}

}  // namespace

std::string BuildFindItemWindow(std::string_view impersonated_smtp, std::string_view folder, std::int64_t since_unix,
                                std::int64_t until_unix, std::int64_t offset, int max_entries) {
  const int max = std::clamp(max_entries, 1, kMaxFindItemEntries);
  std::string body = fmt::format(
      R"(<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>)"
      R"(<m:IndexedPageItemView MaxEntriesReturned="{}" Offset="{}" BasePoint="Beginning"/>)"
      R"(<m:Restriction><t:And>{}{}</t:And></m:Restriction>)"
      R"(<m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>)"
      R"(<m:ParentFolderIds><t:DistinguishedFolderId Id="{}"/></m:ParentFolderIds></m:FindItem>)",
      max, std::max<std::int64_t>(offset, 0), ReceivedComparison("IsGreaterThanOrEqualTo", since_unix),
      ReceivedComparison("IsLessThan", until_unix), XmlEscape(folder));
  return Envelope(impersonated_smtp, body);
}

std::string BuildSyncFolderItems(std::string_view impersonated_smtp, std::string_view folder,
                                 std::string_view sync_state, int max_changes) {
  const int max = std::clamp(max_changes, 1, kMaxChangesReturned);
  std::string body = fmt::format(
      R"(<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>)"
      R"(<m:SyncFolderId><t:{} Id="{}"/></m:SyncFolderId>)",
      // "id.<FolderId>": a folder found by FindFolder (cursor.hpp), not a distinguished one.
      folder.substr(0, 3) == "id." ? "FolderId" : "DistinguishedFolderId",
      XmlEscape(folder.substr(0, 3) == "id." ? folder.substr(3) : folder));
  // Left out on the first sync of a folder.
  if (!sync_state.empty()) body += fmt::format("<m:SyncState>{}</m:SyncState>", XmlEscape(sync_state));
  body += fmt::format(
      "<m:MaxChangesReturned>{}</m:MaxChangesReturned><m:SyncScope>NormalItems</m:SyncScope>"
      "</m:SyncFolderItems>",
      max);
  return Envelope(impersonated_smtp, body);
}

std::string BuildGetItem(std::string_view impersonated_smtp, const std::vector<std::string>& item_ids,
                         bool with_headers) {
  std::string body =
      R"(<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:BodyType>Text</t:BodyType>)"
      R"(<t:AdditionalProperties>)"
      R"(<t:FieldURI FieldURI="item:ItemClass"/>)"
      R"(<t:FieldURI FieldURI="item:Subject"/>)"
      R"(<t:FieldURI FieldURI="item:Body"/>)"
      R"(<t:FieldURI FieldURI="item:Categories"/>)"
      R"(<t:FieldURI FieldURI="item:DateTimeSent"/>)"
      R"(<t:FieldURI FieldURI="item:IsDraft"/>)"
      R"(<t:FieldURI FieldURI="message:ToRecipients"/>)"
      R"(<t:FieldURI FieldURI="message:CcRecipients"/>)"
      R"(<t:FieldURI FieldURI="message:BccRecipients"/>)"
      R"(<t:FieldURI FieldURI="message:From"/>)"
      R"(<t:FieldURI FieldURI="message:InternetMessageId"/>)";
  if (with_headers) body += R"(<t:FieldURI FieldURI="item:InternetMessageHeaders"/>)";
  body += "</t:AdditionalProperties></m:ItemShape><m:ItemIds>";
  for (const std::string& id : item_ids) body += fmt::format(R"(<t:ItemId Id="{}"/>)", XmlEscape(id));
  body += "</m:ItemIds></m:GetItem>";
  return Envelope(impersonated_smtp, body);
}

}  // namespace crmsync::ews

// Parsers of EWS responses: SyncFolderItems, GetItem and SOAP faults.
#include <charconv>

#include <fmt/format.h>

#include "crmsync/ews/ews.hpp"
#include "xml_document.hpp"

namespace crmsync::ews {
namespace {

using detail::Attribute;
using detail::Child;
using detail::Children;
using detail::ChildText;
using detail::Elements;
using detail::Is;
using detail::Text;
using detail::XmlDocument;
using detail::XmlNode;

// Beyond this a hint is clamped: one header must not stall a run for hours.
constexpr std::chrono::milliseconds kMaxBackOff{600000};

std::optional<std::chrono::milliseconds> ParseMillis(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t')) text.remove_suffix(1);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return std::min(std::chrono::milliseconds(value), kMaxBackOff);
}

// <t:MessageXml><t:Value Name="BackOffMilliseconds">N</t:Value></t:MessageXml>
std::optional<std::chrono::milliseconds> BackOffOf(XmlNode message_xml) {
  for (XmlNode value : Children(message_xml, kTypesNs, "Value")) {
    if (Attribute(value, "Name") == "BackOffMilliseconds") return ParseMillis(Text(value));
  }
  return std::nullopt;
}

Status FaultStatus(XmlNode fault) {
  // faultcode / faultstring / detail are unqualified in SOAP 1.1.
  XmlNode detail_node = Child(fault, "", "detail");
  std::string code = ChildText(detail_node, kErrorsNs, "ResponseCode");
  if (code.empty()) {
    code = ChildText(fault, "", "faultcode");
    if (const auto colon = code.find(':'); colon != std::string::npos) code.erase(0, colon + 1);
  }
  std::string text = ChildText(fault, "", "faultstring");
  if (text.empty()) text = ChildText(detail_node, kErrorsNs, "Message");
  return ClassifyEwsError(code.empty() ? "SOAP fault" : code, text,
                          BackOffOf(Child(detail_node, kTypesNs, "MessageXml")));
}

// The SOAP body of `doc`, or the fault it carries.
Result<XmlNode> SoapBody(const XmlDocument& doc, std::string_view what) {
  XmlNode envelope = doc.root();
  if (!Is(envelope, kSoapNs, "Envelope")) {
    return Status::Corruption(fmt::format("{}: the root element is <{}>, not a SOAP Envelope", what,
                                          detail::LocalName(envelope)));
  }
  XmlNode body = Child(envelope, kSoapNs, "Body");
  if (body == nullptr) return Status::Corruption(fmt::format("{}: the SOAP Envelope has no Body", what));
  if (XmlNode fault = Child(body, kSoapNs, "Fault")) return FaultStatus(fault);
  return body;
}

// The single response message of `operation`, checked for ResponseClass.
Result<XmlNode> SingleResponseMessage(XmlNode body, std::string_view operation, std::string_view what) {
  XmlNode response = Child(body, kMessagesNs, fmt::format("{}Response", operation));
  if (response == nullptr) {
    return Status::Corruption(fmt::format("{}: no m:{}Response in the SOAP Body", what, operation));
  }
  const std::string message_name = fmt::format("{}ResponseMessage", operation);
  XmlNode message = Child(Child(response, kMessagesNs, "ResponseMessages"), kMessagesNs, message_name);
  if (message == nullptr) return Status::Corruption(fmt::format("{}: no m:{}", what, message_name));
  return message;
}

// Success and Warning carry data; Error carries a code.
Status ResponseClassStatus(XmlNode message, std::string_view what) {
  const std::string response_class = Attribute(message, "ResponseClass");
  if (response_class == "Success" || response_class == "Warning") return Status::Ok();
  if (response_class != "Error") {
    return Status::Corruption(fmt::format("{}: ResponseClass \"{}\" is not Success, Warning or Error", what,
                                          response_class));
  }
  return ClassifyEwsError(ChildText(message, kMessagesNs, "ResponseCode"),
                          ChildText(message, kMessagesNs, "MessageText"),
                          BackOffOf(Child(message, kMessagesNs, "MessageXml")));
}

Result<bool> ParseBool(const std::string& text, std::string_view field) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return Status::Corruption(fmt::format("{}: \"{}\" is not a boolean", field, text));
}

Participant MailboxOf(XmlNode mailbox) {
  return Participant{ChildText(mailbox, kTypesNs, "EmailAddress"), ChildText(mailbox, kTypesNs, "Name")};
}

std::vector<Participant> RecipientsOf(XmlNode list) {
  std::vector<Participant> out;
  for (XmlNode mailbox : Children(list, kTypesNs, "Mailbox")) out.push_back(MailboxOf(mailbox));
  return out;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Only the facts of the bulk and automatic-reply rules; names are
// case-insensitive and the first occurrence wins, as in the other connectors.
void ReadHeaders(XmlNode headers, Message& message) {
  bool seen_auto_submitted = false;
  bool seen_precedence = false;
  for (XmlNode header : Children(headers, kTypesNs, "InternetMessageHeader")) {
    const std::string name = Attribute(header, "HeaderName");
    if (EqualsNoCase(name, "Auto-Submitted") && !seen_auto_submitted) {
      seen_auto_submitted = true;
      message.auto_submitted = Text(header);
    } else if (EqualsNoCase(name, "Precedence") && !seen_precedence) {
      seen_precedence = true;
      message.precedence = Text(header);
    } else if (EqualsNoCase(name, "List-Unsubscribe")) {
      message.has_list_unsubscribe = true;
    }
  }
}

Result<Message> ParseItem(XmlNode item, std::string_view where) {
  Message message;
  XmlNode item_id = Child(item, kTypesNs, "ItemId");
  message.source_id = Attribute(item_id, "Id");
  if (message.source_id.empty()) return Status::Corruption(fmt::format("{}: t:ItemId has no Id", where));
  message.internet_message_id = ChildText(item, kTypesNs, "InternetMessageId");
  message.subject = ChildText(item, kTypesNs, "Subject");
  message.body_text = ChildText(item, kTypesNs, "Body");
  message.sent_at = ChildText(item, kTypesNs, "DateTimeSent");
  if (XmlNode from = Child(Child(item, kTypesNs, "From"), kTypesNs, "Mailbox")) message.from = MailboxOf(from);
  message.to = RecipientsOf(Child(item, kTypesNs, "ToRecipients"));
  message.cc = RecipientsOf(Child(item, kTypesNs, "CcRecipients"));
  message.bcc = RecipientsOf(Child(item, kTypesNs, "BccRecipients"));
  for (XmlNode category : Children(Child(item, kTypesNs, "Categories"), kTypesNs, "String")) {
    message.categories.push_back(Text(category));
  }
  if (XmlNode draft = Child(item, kTypesNs, "IsDraft")) {
    auto is_draft = ParseBool(Text(draft), fmt::format("{}: t:IsDraft", where));
    if (!is_draft.ok()) return is_draft.status();
    message.is_draft = is_draft.value();
  }
  // Out-of-office and rule replies are IPM.Note.Rules.* items.
  message.is_auto_reply = ChildText(item, kTypesNs, "ItemClass").rfind("IPM.Note.Rules.", 0) == 0;
  ReadHeaders(Child(item, kTypesNs, "InternetMessageHeaders"), message);
  return message;
}

}  // namespace

Status ClassifyEwsError(std::string_view response_code, std::string_view message_text,
                        std::optional<std::chrono::milliseconds> back_off) {
  const std::string message = fmt::format("EWS {}: {}", response_code, message_text);
  if (response_code == "ErrorServerBusy") {
    return Status::Throttled(message, back_off.value_or(std::chrono::milliseconds{0}));
  }
  if (response_code == "ErrorInvalidSyncStateData") return Status::Gone(message);
  if (response_code == "ErrorInternalServerError" || response_code == "ErrorTimeoutExpired" ||
      response_code == "ErrorExceededConnectionCount" || response_code == "ErrorMailboxMoveInProgress") {
    return Status::Transient(message);
  }
  return Status::Permanent(message);
}

Result<SyncFolderItemsResult> ParseSyncFolderItemsResponse(std::string_view body) {
  constexpr std::string_view kWhat = "EWS SyncFolderItems response";
  auto doc = XmlDocument::Parse(body, kWhat);
  if (!doc.ok()) return doc.status();
  auto soap_body = SoapBody(doc.value(), kWhat);
  if (!soap_body.ok()) return soap_body.status();
  auto message = SingleResponseMessage(soap_body.value(), "SyncFolderItems", kWhat);
  if (!message.ok()) return message.status();
  if (Status s = ResponseClassStatus(message.value(), kWhat); !s.ok()) return s;

  SyncFolderItemsResult out;
  out.sync_state = ChildText(message.value(), kMessagesNs, "SyncState");
  if (out.sync_state.empty()) return Status::Corruption(fmt::format("{}: m:SyncState is missing or empty", kWhat));
  XmlNode last = Child(message.value(), kMessagesNs, "IncludesLastItemInRange");
  if (last == nullptr) return Status::Corruption(fmt::format("{}: m:IncludesLastItemInRange is missing", kWhat));
  auto includes_last = ParseBool(Text(last), fmt::format("{}: m:IncludesLastItemInRange", kWhat));
  if (!includes_last.ok()) return includes_last.status();
  out.includes_last_item = includes_last.value();

  XmlNode changes = Child(message.value(), kMessagesNs, "Changes");
  std::size_t index = 0;
  for (XmlNode change : Elements(changes)) {
    ++index;
    SyncChange c;
    XmlNode item_id = nullptr;
    if (Is(change, kTypesNs, "Create") || Is(change, kTypesNs, "Update")) {
      c.kind = Is(change, kTypesNs, "Create") ? ChangeKind::kCreate : ChangeKind::kUpdate;
      // The one child is the item (t:Message, t:MeetingRequest, ...).
      std::vector<XmlNode> items = Elements(change);
      if (items.size() != 1) {
        return Status::Corruption(fmt::format("{}: change {} holds {} items, expected 1", kWhat, index, items.size()));
      }
      item_id = Child(items[0], kTypesNs, "ItemId");
    } else if (Is(change, kTypesNs, "Delete") || Is(change, kTypesNs, "ReadFlagChange")) {
      c.kind = Is(change, kTypesNs, "Delete") ? ChangeKind::kDelete : ChangeKind::kReadFlagChange;
      item_id = Child(change, kTypesNs, "ItemId");
    } else {
      return Status::Corruption(fmt::format("{}: change {} is <{}>, not Create, Update, Delete or ReadFlagChange",
                                            kWhat, index, detail::LocalName(change)));
    }
    c.item_id = Attribute(item_id, "Id");
    c.change_key = Attribute(item_id, "ChangeKey");
    if (c.item_id.empty()) return Status::Corruption(fmt::format("{}: change {} has no t:ItemId Id", kWhat, index));
    out.changes.push_back(std::move(c));
  }
  return out;
}

Result<FindItemResult> ParseFindItemResponse(std::string_view body) {
  constexpr std::string_view kWhat = "EWS FindItem response";
  auto doc = XmlDocument::Parse(body, kWhat);
  if (!doc.ok()) return doc.status();
  auto soap_body = SoapBody(doc.value(), kWhat);
  if (!soap_body.ok()) return soap_body.status();
  auto message = SingleResponseMessage(soap_body.value(), "FindItem", kWhat);
  if (!message.ok()) return message.status();
  if (Status s = ResponseClassStatus(message.value(), kWhat); !s.ok()) return s;
  XmlNode root = Child(message.value(), kMessagesNs, "RootFolder");
  if (root == nullptr) return Status::Corruption(fmt::format("{}: m:RootFolder is missing", kWhat));
  FindItemResult out;
  auto includes_last = ParseBool(Attribute(root, "IncludesLastItemInRange"),
                                 fmt::format("{}: RootFolder IncludesLastItemInRange", kWhat));
  if (!includes_last.ok()) return includes_last.status();
  out.includes_last_item = includes_last.value();
  const std::string offset = Attribute(root, "IndexedPagingOffset");
  auto [end, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), out.next_offset);
  if (!out.includes_last_item && (ec != std::errc() || end != offset.data() + offset.size() || out.next_offset < 0)) {
    return Status::Corruption(
        fmt::format("{}: RootFolder IndexedPagingOffset \"{}\" is not a non-negative integer", kWhat, offset));
  }
  std::size_t index = 0;
  for (XmlNode item : Elements(Child(root, kTypesNs, "Items"))) {
    ++index;
    std::string id = Attribute(Child(item, kTypesNs, "ItemId"), "Id");
    if (id.empty()) return Status::Corruption(fmt::format("{}: item {} has no t:ItemId Id", kWhat, index));
    out.item_ids.push_back(std::move(id));
  }
  return out;
}

Result<std::vector<FetchedItem>> ParseGetItemResponse(std::string_view body, const std::vector<std::string>& ids) {
  constexpr std::string_view kWhat = "EWS GetItem response";
  auto doc = XmlDocument::Parse(body, kWhat);
  if (!doc.ok()) return doc.status();
  auto soap_body = SoapBody(doc.value(), kWhat);
  if (!soap_body.ok()) return soap_body.status();
  XmlNode response = Child(soap_body.value(), kMessagesNs, "GetItemResponse");
  if (response == nullptr) return Status::Corruption(fmt::format("{}: no m:GetItemResponse in the SOAP Body", kWhat));
  std::vector<XmlNode> messages =
      Children(Child(response, kMessagesNs, "ResponseMessages"), kMessagesNs, "GetItemResponseMessage");
  if (messages.size() != ids.size()) {
    return Status::Corruption(fmt::format("{}: {} response messages for {} requested items", kWhat, messages.size(),
                                          ids.size()));
  }
  std::vector<FetchedItem> out;
  out.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string where = fmt::format("{}: item {} ({})", kWhat, i + 1, ids[i]);
    FetchedItem fetched;
    fetched.requested_id = ids[i];
    if (Attribute(messages[i], "ResponseClass") == "Error" &&
        ChildText(messages[i], kMessagesNs, "ResponseCode") == "ErrorItemNotFound") {
      out.push_back(std::move(fetched));   // deleted between the sync and this call
      continue;
    }
    if (Status s = ResponseClassStatus(messages[i], where); !s.ok()) return s;
    std::vector<XmlNode> items = Elements(Child(messages[i], kMessagesNs, "Items"));
    if (items.size() != 1) {
      return Status::Corruption(fmt::format("{}: m:Items holds {} items, expected 1", where, items.size()));
    }
    auto message = ParseItem(items[0], where);
    if (!message.ok()) return message.status();
    fetched.found = true;
    fetched.message = std::move(message.value());
    out.push_back(std::move(fetched));
  }
  return out;
}

Status ParseSoapFault(long http_status, std::string_view body) {
  constexpr std::string_view kWhat = "EWS error response";
  auto doc = XmlDocument::Parse(body, kWhat);
  if (!doc.ok()) return Status::Transient(fmt::format("EWS HTTP {} without a SOAP fault", http_status));
  // A fault is classified; anything else (an HTML error page, a bare
  // envelope) is a transient server failure.
  auto soap_body = SoapBody(doc.value(), kWhat);
  if (!soap_body.ok() && soap_body.status().code() != StatusCode::kCorruption) return soap_body.status();
  return Status::Transient(fmt::format("EWS HTTP {} without a SOAP fault", http_status));
}

}  // namespace crmsync::ews

#include "ews/ews_service.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/core.h>

#include "capture_rule_set.hpp"
#include "ews/ews_find_item.hpp"
#include "text_util.hpp"

namespace crmsync::sim::ews {
namespace {

constexpr std::string_view kPath = "/EWS/Exchange.asmx";
constexpr std::string_view kItemIdPrefix = "AAMkAGSim";
constexpr std::string_view kInvalidSyncState = "Synchronization state data is corrupt or otherwise invalid.";

const std::set<std::string, std::less<>> kServerVersions = {
    "Exchange2007", "Exchange2007_SP1", "Exchange2010", "Exchange2010_SP1", "Exchange2010_SP2",
    "Exchange2013", "Exchange2013_SP1", "Exchange2015", "Exchange2016", "V2015_10_05", "V2016_01_06",
    "V2017_04_14", "V2017_07_11", "V2017_10_09", "V2018_01_08"};

// Message properties GetItem can return, by FieldURI.
enum Prop : unsigned {
  kItemClass = 1u << 0, kSubject = 1u << 1, kBody = 1u << 2, kDateTimeReceived = 1u << 3,
  kCategories = 1u << 4, kIsDraft = 1u << 5, kHeaders = 1u << 6, kDateTimeSent = 1u << 7,
  kTo = 1u << 8, kCc = 1u << 9, kBcc = 1u << 10, kFrom = 1u << 11, kInternetMessageId = 1u << 12,
  kIsRead = 1u << 13, kSender = 1u << 14,
};
constexpr unsigned kDefaultShape = kItemClass | kSubject | kBody | kDateTimeReceived | kCategories | kIsDraft |
                                   kDateTimeSent | kTo | kCc | kFrom | kIsRead | kSender;

std::optional<unsigned> PropOf(std::string_view field_uri) {
  static const std::pair<std::string_view, unsigned> kProps[] = {
      {"item:ItemClass", kItemClass}, {"item:Subject", kSubject}, {"item:Body", kBody},
      {"item:DateTimeReceived", kDateTimeReceived}, {"item:Categories", kCategories}, {"item:IsDraft", kIsDraft},
      {"item:InternetMessageHeaders", kHeaders}, {"item:DateTimeSent", kDateTimeSent},
      {"message:ToRecipients", kTo}, {"message:CcRecipients", kCc}, {"message:BccRecipients", kBcc},
      {"message:From", kFrom}, {"message:InternetMessageId", kInternetMessageId}, {"message:IsRead", kIsRead},
      {"message:Sender", kSender}};
  for (const auto& [name, bit] : kProps) {
    if (name == field_uri) return bit;
  }
  return std::nullopt;
}

std::string MailboxXml(const Participant& p) {
  return fmt::format("<t:Mailbox><t:Name>{}</t:Name><t:EmailAddress>{}</t:EmailAddress>"
                     "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>OneOff</t:MailboxType></t:Mailbox>",
                     Escape(p.name), Escape(p.address));
}

std::string RecipientsXml(const char* element, const std::vector<Participant>& people) {
  if (people.empty()) return {};
  std::string out = fmt::format("<t:{}>", element);
  for (const Participant& p : people) out += MailboxXml(p);
  return out + fmt::format("</t:{}>", element);
}

HttpResponse SchemaError(std::string_view detail) {
  return SoapFault("ErrorSchemaValidation", fmt::format("The request failed schema validation: {}", detail));
}

std::string ErrorMessage(std::string_view operation, std::string_view code, std::string_view text) {
  return fmt::format(R"(<m:{}ResponseMessage ResponseClass="Error"><m:MessageText>{}</m:MessageText>)"
                     R"(<m:ResponseCode>{}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>)"
                     R"(</m:{}ResponseMessage>)",
                     operation, Escape(text), code, operation);
}

std::string Wrap(std::string_view operation, const std::string& messages) {
  return fmt::format(R"(<m:{}Response xmlns:m="{}" xmlns:t="{}"><m:ResponseMessages>{}</m:ResponseMessages></m:{}Response>)",
                     operation, kMessages, kTypes, messages, operation);
}

HttpResponse Unauthorized(const char* reason) {
  HttpResponse r;
  r.status = 401;
  r.headers.emplace("WWW-Authenticate", "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", "
                                        "trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\"");
  r.headers.emplace("x-ms-diagnostics", fmt::format("2000001;reason=\"{}\";error_category=\"invalid_token\"", reason));
  return r;
}

}  // namespace

EwsService::EwsService(const Corpus& corpus, const IdentityService& identity, RequestStats& stats)
    : corpus_(corpus), identity_(identity), stats_(stats), tokens_(corpus.seed() ^ 0x657773ULL) {}

bool EwsService::Owns(const HttpRequest& request) { return EqualsNoCase(request.path, kPath); }

void EwsService::InjectServerBusy(int count, long back_off_ms) {
  busy_back_off_ms_.store(back_off_ms);
  busy_remaining_.store(count);
}

HttpResponse EwsService::Handle(const HttpRequest& request) {
  std::string family = "ews.other";
  auto done = [&](HttpResponse r) {
    stats_.Count(family, r.status);
    return r;
  };
  if (request.method != "POST") {
    HttpResponse r;
    r.status = 405;
    r.headers.emplace("Allow", "POST");
    return done(std::move(r));
  }
  std::string authorization = request.header("authorization");
  if (authorization.size() <= 7 || !EqualsNoCase(authorization.substr(0, 7), "bearer ")) {
    return done(Unauthorized("The token is missing"));
  }
  auto check = identity_.Check(Trim(std::string_view(authorization).substr(7)));
  if (check.state == IdentityService::TokenState::kUnknown) return done(Unauthorized("The token is invalid"));
  if (check.state == IdentityService::TokenState::kExpired) return done(Unauthorized("The token has expired"));
  if (check.audience != IdentityService::Audience::kExchange) {
    return done(Unauthorized("The audience claim value is invalid for current resource"));
  }
  if (AsciiLower(request.header("content-type")).rfind("text/xml", 0) != 0) {
    HttpResponse r;
    r.status = 415;
    return done(std::move(r));
  }
  if (int busy = busy_remaining_.load(); busy > 0 && busy_remaining_.compare_exchange_strong(busy, busy - 1)) {
    return done(SoapFault("ErrorServerBusy", "The server cannot service this request right now. Try again later.",
                          busy_back_off_ms_.load()));
  }
  return done(Dispatch(request, check.tenant, family));
}

HttpResponse EwsService::Dispatch(const HttpRequest& request, int tenant, std::string& family) {
  std::string error;
  auto soap = SoapRequest::Parse(request.body, error);
  if (!soap) return SchemaError(error);
  Node envelope = soap->envelope();
  if (!Is(envelope, kSoap, "Envelope")) return SchemaError("the root element is not a SOAP 1.1 Envelope");
  Node header = Child(envelope, kSoap, "Header");
  Node body = Child(envelope, kSoap, "Body");
  if (body == nullptr) return SchemaError("the Envelope has no Body");

  Node version = Child(header, kTypes, "RequestServerVersion");
  if (version == nullptr) return SchemaError("the RequestServerVersion header is required");
  if (kServerVersions.count(AttributeOf(version, "Version")) == 0) {
    return SoapFault("ErrorInvalidServerVersion", "The specified server version is invalid.");
  }
  Node sid = Child(Child(header, kTypes, "ExchangeImpersonation"), kTypes, "ConnectingSID");
  std::string address;
  for (const char* name : {"PrimarySmtpAddress", "SmtpAddress", "PrincipalName"}) {
    if (Node n = Child(sid, kTypes, name)) address = std::string(Trim(TextOf(n)));
  }
  if (address.empty()) {
    return SoapFault("ErrorInvalidExchangeImpersonationHeaderData",
                     "ExchangeImpersonation SOAP header must be present for this type of OAuth token.");
  }
  std::optional<Mailbox> mailbox;
  if (auto found = corpus_.FindUser(address)) mailbox = Mailbox{found->first, found->second};
  for (const Tenant& t : corpus_.tenants()) {
    if (mailbox) break;
    for (const MailUser& u : t.users) {
      bool match = EqualsNoCase(u.primary, address);
      for (const auto& alias : u.aliases) match = match || EqualsNoCase(alias, address);
      if (match) mailbox = Mailbox{t.index, u.index};
    }
    if (mailbox) break;
  }
  if (!mailbox) return SoapFault("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.");
  if (mailbox->tenant != tenant) {
    ++isolation_violations_;
    if (isolation_ != nullptr) isolation_->Record(mailbox->tenant);
    return SoapFault("ErrorImpersonateUserDenied", "The account does not have permission to impersonate the requested user.");
  }
  if (!EqualsNoCase(Trim(request.header("x-anchormailbox")), address)) {
    return SoapFault("ErrorInvalidRequest",
                     "The X-AnchorMailbox header must name the impersonated mailbox.");
  }
  std::vector<Node> operations = ElementChildren(body);
  if (operations.size() != 1) return SchemaError("the Body must hold exactly one operation");
  if (Is(operations[0], kMessages, "SyncFolderItems")) {
    family = "ews.sync";
    return SyncFolderItems(operations[0], *mailbox);
  }
  if (Is(operations[0], kMessages, "GetItem")) {
    family = "ews.getitem";
    return GetItem(operations[0], *mailbox);
  }
  if (Is(operations[0], kMessages, "FindItem")) {
    family = "ews.finditem";
    return FindItem(operations[0], *mailbox);
  }
  if (Is(operations[0], kMessages, "FindFolder")) {
    family = "ews.findfolder";
    return FindFolder(operations[0], *mailbox);
  }
  return SoapFault("ErrorInvalidRequest",
                   fmt::format("The simulator does not implement the operation '{}'.", LocalNameOf(operations[0])));
}

std::string EwsService::ItemId(const MessageHeader& h, int user, Folder folder) const {
  const std::string check = corpus_.MailboxMessageId(h, user, folder).substr(0, 12);
  return std::string(kItemIdPrefix) +
         Base64UrlEncode(fmt::format("{}.{}.{}.{}.{}.{}.{}", h.ref.tenant, user, static_cast<int>(folder), h.ref.owner,
                                     h.ref.epoch, h.ref.index, check));
}

HttpResponse EwsService::SyncFolderItems(Node op, const Mailbox& mailbox) {
  constexpr std::string_view kOp = "SyncFolderItems";
  if (Child(Child(op, kMessages, "ItemShape"), kTypes, "BaseShape") == nullptr) {
    return SchemaError("SyncFolderItems requires ItemShape/BaseShape");
  }
  Node folder_id = Child(op, kMessages, "SyncFolderId");
  Node distinguished = Child(folder_id, kTypes, "DistinguishedFolderId");
  Node plain = Child(folder_id, kTypes, "FolderId");
  std::string id = distinguished != nullptr ? AttributeOf(distinguished, "Id") : AttributeOf(plain, "Id");
  Folder folder;
  if ((distinguished != nullptr && id == "inbox") ||
      (plain != nullptr && id == corpus_.FolderId(mailbox.tenant, mailbox.user, Folder::kInbox))) {
    folder = Folder::kInbox;
  } else if ((distinguished != nullptr && id == "sentitems") ||
             (plain != nullptr && id == corpus_.FolderId(mailbox.tenant, mailbox.user, Folder::kSentItems))) {
    folder = Folder::kSentItems;
  } else if (plain != nullptr && Corpus::HasCrmFolder(mailbox.user) &&
             id == corpus_.FolderId(mailbox.tenant, mailbox.user, Folder::kCrm)) {
    folder = Folder::kCrm;
  } else if (distinguished == nullptr && plain == nullptr) {
    return SchemaError("SyncFolderItems requires SyncFolderId");
  } else {
    return SoapResponse(Wrap(kOp, ErrorMessage(kOp, "ErrorFolderNotFound", "The specified folder could not be found in the store.")));
  }
  Node max_node = Child(op, kMessages, "MaxChangesReturned");
  if (max_node == nullptr) return SchemaError("The element 'SyncFolderItems' has incomplete content: MaxChangesReturned");
  const std::string max_text(Trim(TextOf(max_node)));
  auto max = ParseUint(max_text);
  if (!max || *max < 1 || *max > static_cast<std::uint64_t>(kMaxChangesReturned)) {
    return SchemaError(fmt::format("The 'MaxChangesReturned' element is invalid - The value '{}' is invalid according "
                                   "to its datatype - The MaxInclusive constraint failed (1..{}).",
                                   max_text, kMaxChangesReturned));
  }

  const Epochs epochs = corpus_.epochs();
  const int current = static_cast<int>(epochs.size());
  DeltaPosition pos;
  pos.tenant = mailbox.tenant;
  pos.user = mailbox.user;
  pos.folder = folder;
  pos.from_epoch = 0;
  pos.to_epoch = current;
  Node state_node = Child(op, kMessages, "SyncState");
  const std::string state(Trim(TextOf(state_node)));
  if (state_node != nullptr && !state.empty()) {
    auto decoded = tokens_.DecodeDelta(state);
    if (!decoded || decoded->tenant != mailbox.tenant || decoded->user != mailbox.user || decoded->folder != folder ||
        decoded->to_epoch > current || decoded->from_epoch > decoded->to_epoch) {
      return SoapResponse(Wrap(kOp, ErrorMessage(kOp, "ErrorInvalidSyncStateData", kInvalidSyncState)));
    }
    pos = *decoded;
    if (pos.is_delta) {
      // Caught up last time: a new round covers what arrived since.
      pos.is_delta = false;
      pos.from_epoch = pos.to_epoch;
      pos.to_epoch = current;
      pos.cursor = ViewCursor{pos.from_epoch, 0, 0};
    }
  }

  std::string changes;
  int count = 0;
  bool more = false;
  ViewCursor cursor = pos.cursor;
  while (true) {
    ViewCursor before = cursor;
    auto header = corpus_.NextInView(mailbox.tenant, mailbox.user, folder, pos.to_epoch, epochs, cursor);
    if (!header) break;
    if (count == static_cast<int>(*max)) {
      more = true;
      cursor = before;
      break;
    }
    const std::string item_id = ItemId(*header, mailbox.user, folder);
    changes += fmt::format(R"(<t:Create><t:Message><t:ItemId Id="{}" ChangeKey="CQAAABYAAAB{}"/></t:Message></t:Create>)",
                           item_id, header->ref.epoch);
    ++count;
  }
  DeltaPosition next = pos;
  if (more) {
    next.cursor = cursor;
  } else {
    next.is_delta = true;
    next.from_epoch = pos.to_epoch;
    next.cursor = ViewCursor{pos.to_epoch, 0, 0};
  }
  std::string message = fmt::format(
      R"(<m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>)"
      R"(<m:SyncState>{}</m:SyncState><m:IncludesLastItemInRange>{}</m:IncludesLastItemInRange>)"
      R"(<m:Changes>{}</m:Changes></m:SyncFolderItemsResponseMessage>)",
      tokens_.Encode(next), more ? "false" : "true", changes);
  return SoapResponse(Wrap(kOp, message));
}

// FindItem over Inbox or Sent Items with a DateTimeReceived window
// (ews_find_item.hpp), IdOnly, one IndexedPageItemView page.
HttpResponse EwsService::FindItem(Node op, const Mailbox& mailbox) {
  constexpr std::string_view kOp = "FindItem";
  if (AttributeOf(op, "Traversal") != "Shallow") {
    return SchemaError(fmt::format("Traversal '{}' is not supported (Shallow)", AttributeOf(op, "Traversal")));
  }
  if (Child(Child(op, kMessages, "ItemShape"), kTypes, "BaseShape") == nullptr) {
    return SchemaError("FindItem requires ItemShape/BaseShape");
  }
  std::vector<Node> folders = ElementChildren(Child(op, kMessages, "ParentFolderIds"));
  if (folders.size() != 1 || !Is(folders[0], kTypes, "DistinguishedFolderId")) {
    return SchemaError("FindItem requires one ParentFolderIds/DistinguishedFolderId");
  }
  const std::string id = AttributeOf(folders[0], "Id");
  if (id != "inbox" && id != "sentitems") {
    return SoapResponse(Wrap(kOp, ErrorMessage(kOp, "ErrorFolderNotFound", "The specified folder could not be found in the store.")));
  }
  const Folder folder = id == "inbox" ? Folder::kInbox : Folder::kSentItems;
  std::string error;
  auto page = ParseIndexedPage(Child(op, kMessages, "IndexedPageItemView"), error);
  if (!page) return SoapResponse(Wrap(kOp, ErrorMessage(kOp, "ErrorInvalidRequest", error)));
  auto window = ParseReceivedRestriction(Child(op, kMessages, "Restriction"), error);
  if (!window) return SoapResponse(Wrap(kOp, ErrorMessage(kOp, "ErrorInvalidRestriction", error)));
  if (!SortOrderSupported(Child(op, kMessages, "SortOrder"), error)) {
    return SoapResponse(Wrap(kOp, ErrorMessage(kOp, "ErrorInvalidRequest", error)));
  }
  const std::vector<MessageHeader> listed = MessagesReceivedIn(corpus_, mailbox.tenant, mailbox.user, folder, *window);
  const std::size_t max = page->max_entries == 0 ? static_cast<std::size_t>(kMaxFindItemEntries)
                                                 : std::min<std::size_t>(page->max_entries, kMaxFindItemEntries);
  const std::size_t begin = std::min<std::size_t>(listed.size(), page->offset);
  const std::size_t end = std::min(listed.size(), begin + max);
  std::string items;
  for (std::size_t i = begin; i < end; ++i) {
    items += fmt::format(R"(<t:Message><t:ItemId Id="{}" ChangeKey="CQAAABYAAAB{}"/></t:Message>)",
                         ItemId(listed[i], mailbox.user, folder), listed[i].ref.epoch);
  }
  std::string message = fmt::format(
      R"(<m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>)"
      R"(<m:RootFolder IndexedPagingOffset="{}" TotalItemsInView="{}" IncludesLastItemInRange="{}">)"
      R"(<t:Items>{}</t:Items></m:RootFolder></m:FindItemResponseMessage>)",
      end, listed.size(), end == listed.size() ? "true" : "false", items);
  return SoapResponse(Wrap(kOp, message));
}

HttpResponse EwsService::GetItem(Node op, const Mailbox& mailbox) {
  constexpr std::string_view kOp = "GetItem";
  Node shape = Child(op, kMessages, "ItemShape");
  Node base = Child(shape, kTypes, "BaseShape");
  if (base == nullptr) return SchemaError("GetItem requires ItemShape/BaseShape");
  const std::string base_shape(Trim(TextOf(base)));
  unsigned props = 0;
  if (base_shape == "Default" || base_shape == "AllProperties") props = kDefaultShape | kInternetMessageId;
  else if (base_shape != "IdOnly") return SchemaError(fmt::format("BaseShape '{}' is not valid", base_shape));
  const std::string body_type(Trim(TextOf(Child(shape, kTypes, "BodyType"))));
  if (!body_type.empty() && body_type != "Text" && body_type != "HTML" && body_type != "Best") {
    return SchemaError(fmt::format("BodyType '{}' is not valid", body_type));
  }
  const bool text_body = body_type == "Text";
  for (Node field : Children(Child(shape, kTypes, "AdditionalProperties"), kTypes, "FieldURI")) {
    const std::string uri = AttributeOf(field, "FieldURI");
    auto bit = PropOf(uri);
    if (!bit) return SchemaError(fmt::format("The 'FieldURI' attribute is invalid - The value '{}' is invalid", uri));
    props |= *bit;
  }
  std::vector<Node> ids = Children(Child(op, kMessages, "ItemIds"), kTypes, "ItemId");
  if (ids.empty()) return SchemaError("GetItem requires at least one ItemIds/ItemId");
  if (ids.size() > kMaxItemIds) {
    return SoapFault("ErrorInvalidRequest", fmt::format("GetItem takes at most {} item ids.", kMaxItemIds));
  }

  const Epochs epochs = corpus_.epochs();
  std::string messages;
  for (Node id_node : ids) {
    const std::string id = AttributeOf(id_node, "Id");
    std::optional<std::string> decoded;
    if (id.rfind(kItemIdPrefix, 0) == 0) decoded = Base64UrlDecode(std::string_view(id).substr(kItemIdPrefix.size()));
    std::vector<std::int64_t> parts;
    std::string check;
    if (decoded) {
      std::string_view rest = *decoded;
      for (int i = 0; i < 6 && decoded; ++i) {
        std::size_t dot = rest.find('.');
        auto n = dot == std::string_view::npos ? std::nullopt : ParseUint(rest.substr(0, dot));
        if (!n || *n > 100000000) {
          decoded.reset();
          break;
        }
        parts.push_back(static_cast<std::int64_t>(*n));
        rest.remove_prefix(dot + 1);
      }
      check = std::string(rest);
    }
    if (!decoded) {
      messages += ErrorMessage(kOp, "ErrorInvalidIdMalformed", "Id is malformed.");
      continue;
    }
    const int tenant = static_cast<int>(parts[0]), user = static_cast<int>(parts[1]);
    const auto folder = static_cast<Folder>(parts[2] >= 0 && parts[2] <= 2 ? parts[2] : 0);
    MessageRef ref{tenant, static_cast<int>(parts[3]), static_cast<int>(parts[4]), static_cast<int>(parts[5])};
    const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(mailbox.tenant)];
    const bool in_range = tenant == mailbox.tenant && user == mailbox.user && parts[2] <= 2 &&
                          ref.owner < static_cast<int>(t.users.size()) && ref.epoch < static_cast<int>(epochs.size()) &&
                          ref.index < epochs[static_cast<std::size_t>(ref.epoch)].messages;
    std::optional<MessageHeader> header;
    if (in_range) {
      header = corpus_.Header(ref, epochs);
      if (corpus_.MailboxMessageId(*header, user, folder).substr(0, 12) != check ||
          !corpus_.InView(*header, user, folder)) {
        header.reset();
      }
    }
    if (!header) {
      messages += ErrorMessage(kOp, "ErrorItemNotFound", "The specified object was not found in the store.");
      continue;
    }
    stats_.CountDetailRead();
    const MessageContent content = corpus_.Content(*header);
    const MessageHeader& h = *header;
    std::string item = fmt::format(R"(<t:Message><t:ItemId Id="{}" ChangeKey="CQAAABYAAAB{}"/>)", Escape(id), h.ref.epoch);
    auto has = [props](unsigned bit) { return (props & bit) != 0; };
    if (has(kItemClass)) item += "<t:ItemClass>IPM.Note</t:ItemClass>";
    if (has(kSubject)) item += fmt::format("<t:Subject>{}</t:Subject>", Escape(content.subject));
    if (has(kBody)) {
      item += text_body ? fmt::format(R"(<t:Body BodyType="Text">{}</t:Body>)", Escape(content.body))
                        : fmt::format(R"(<t:Body BodyType="HTML">{}</t:Body>)",
                                      Escape("<html><body><div>" + Escape(content.body) + "</div></body></html>"));
    }
    if (has(kDateTimeReceived)) item += fmt::format("<t:DateTimeReceived>{}</t:DateTimeReceived>", FormatIsoUtc(h.received));
    // The same categories Graph shows, including the per-copy CRM mark.
    const bool crm_marked = corpus_.CrmMarked(h, user, folder);
    if (has(kCategories) && (!content.categories.empty() || crm_marked)) {
      item += "<t:Categories>";
      for (const auto& c : content.categories) item += fmt::format("<t:String>{}</t:String>", Escape(c));
      if (crm_marked) item += fmt::format("<t:String>{}</t:String>", kCrmMarker);
      item += "</t:Categories>";
    }
    if (has(kIsDraft)) item += "<t:IsDraft>false</t:IsDraft>";
    if (has(kHeaders)) {
      item += fmt::format(
          R"(<t:InternetMessageHeaders><t:InternetMessageHeader HeaderName="Message-ID">{}</t:InternetMessageHeader>)"
          R"(<t:InternetMessageHeader HeaderName="Subject">{}</t:InternetMessageHeader>)"
          R"(<t:InternetMessageHeader HeaderName="MIME-Version">1.0</t:InternetMessageHeader>)",
          Escape(h.internet_message_id), Escape(content.subject));
      for (const auto& [name, value] : h.traits.headers) {
        item += fmt::format(R"(<t:InternetMessageHeader HeaderName="{}">{}</t:InternetMessageHeader>)", Escape(name),
                            Escape(value));
      }
      item += "</t:InternetMessageHeaders>";
    }
    if (has(kDateTimeSent)) item += fmt::format("<t:DateTimeSent>{}</t:DateTimeSent>", FormatIsoUtc(h.sent));
    if (has(kSender)) item += fmt::format("<t:Sender>{}</t:Sender>", MailboxXml(h.from));
    if (has(kTo)) item += RecipientsXml("ToRecipients", h.to);
    if (has(kCc)) item += RecipientsXml("CcRecipients", h.cc);
    if (has(kIsRead)) item += fmt::format("<t:IsRead>{}</t:IsRead>", folder == Folder::kSentItems ? "true" : "false");
    if (has(kFrom)) item += fmt::format("<t:From>{}</t:From>", MailboxXml(h.from));
    if (has(kInternetMessageId)) {
      item += fmt::format("<t:InternetMessageId>{}</t:InternetMessageId>", Escape(h.internet_message_id));
    }
    item += "</t:Message>";
    messages += fmt::format(R"(<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>)"
                            R"(<m:Items>{}</m:Items></m:GetItemResponseMessage>)",
                            item);
  }
  return SoapResponse(Wrap(kOp, messages));
}

}  // namespace crmsync::sim::ews

#include "graph_json.hpp"

#include <array>

#include <fmt/core.h>

#include "json_escape.hpp"
#include "prng.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

enum MessageProp : int {
  kId, kCreated, kLastModified, kChangeKey, kCategories, kReceived, kSent, kHasAttachments,
  kInternetMessageId, kSubject, kBodyPreview, kImportance, kParentFolderId, kConversationId,
  kConversationIndex, kDeliveryReceipt, kReadReceipt, kIsRead, kIsDraft, kWebLink, kInference,
  kBody, kSender, kFrom, kTo, kCc, kBcc, kReplyTo, kFlag, kUniqueBody, kHeaders, kMessagePropCount
};

constexpr std::array<const char*, kMessagePropCount> kMessageProps{
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
    "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
    "parentFolderId", "conversationId", "conversationIndex", "isDeliveryReceiptRequested",
    "isReadReceiptRequested", "isRead", "isDraft", "webLink", "inferenceClassification", "body",
    "sender", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "flag",
    "uniqueBody", "internetMessageHeaders"};

enum UserProp : int {
  kUId, kBusinessPhones, kDisplayName, kGivenName, kJobTitle, kMail, kMobilePhone, kOfficeLocation,
  kPreferredLanguage, kSurname, kUpn, kAccountEnabled, kProxyAddresses, kUserPropCount
};
constexpr std::array<const char*, kUserPropCount> kUserProps{
    "id", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "accountEnabled",
    "proxyAddresses"};

constexpr std::uint64_t Bit(int prop) { return std::uint64_t{1} << prop; }

template <std::size_t N>
std::optional<std::uint64_t> SelectMask(std::string_view select, const std::array<const char*, N>& props,
                                        std::string& unknown) {
  std::uint64_t mask = Bit(0);
  while (true) {
    std::size_t comma = select.find(',');
    std::string_view name = Trim(select.substr(0, comma));
    if (!name.empty()) {
      bool found = false;
      for (std::size_t i = 0; i < N; ++i) {
        if (EqualsNoCase(name, props[i])) {
          mask |= Bit(static_cast<int>(i));
          found = true;
          break;
        }
      }
      if (!found) {
        unknown = std::string(name);
        return std::nullopt;
      }
    }
    if (comma == std::string_view::npos) break;
    select.remove_prefix(comma + 1);
  }
  return mask;
}

std::string Recipient(const Participant& p) {
  return fmt::format(R"({{"emailAddress":{{"name":"{}","address":"{}"}}}})", JsonEscape(p.name),
                     JsonEscape(p.address));
}

std::string Recipients(const std::vector<Participant>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ',';
    out += Recipient(list[i]);
  }
  out += ']';
  return out;
}

std::string HtmlBody(std::string_view text) {
  std::string out =
      "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
      "</head><body><div>";
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\r': break;
      case '\n': out += "<br>\r\n"; break;
      default: out += c;
    }
  }
  out += "</div></body></html>";
  return out;
}

}  // namespace

std::optional<std::uint64_t> MessageSelectMask(std::string_view select, std::string& unknown) {
  return SelectMask(select, kMessageProps, unknown);
}
std::optional<std::uint64_t> UserSelectMask(std::string_view select, std::string& unknown) {
  return SelectMask(select, kUserProps, unknown);
}

std::uint64_t DefaultMessageMask() { return (Bit(kUniqueBody) - 1); }   // all but uniqueBody, headers

std::uint64_t DefaultUserMask() { return Bit(kAccountEnabled) - 1; }   // as Graph: no accountEnabled/proxyAddresses

bool MaskNeedsContent(std::uint64_t mask) {
  return (mask & (Bit(kSubject) | Bit(kBody) | Bit(kBodyPreview) | Bit(kUniqueBody) | Bit(kConversationId) |
                  Bit(kConversationIndex) | Bit(kImportance) | Bit(kHasAttachments) | Bit(kCategories) |
                  Bit(kHeaders))) != 0;
}

std::string MessageJson(const Corpus& corpus, const MessageCopy& copy, std::uint64_t mask, bool text_body) {
  const MessageHeader& h = *copy.header;
  const MessageContent* c = copy.content;
  std::string id = corpus.MailboxMessageId(h, copy.user, copy.folder);
  Rng rng(Mix64(std::hash<std::string>{}(id)));
  std::string change_key = "CQAAABYAAAA" + Base62(rng, 20);
  std::string out;
  out.reserve(1024);
  out += fmt::format(R"({{"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\"{}\"","id":"{}")",
                     change_key, id);
  auto has = [mask](int prop) { return (mask & Bit(prop)) != 0; };
  std::string received = FormatIsoUtc(h.received);
  if (has(kCreated)) out += fmt::format(R"(,"createdDateTime":"{}")", received);
  if (has(kLastModified)) out += fmt::format(R"(,"lastModifiedDateTime":"{}")", received);
  if (has(kChangeKey)) out += fmt::format(R"(,"changeKey":"{}")", change_key);
  if (has(kCategories)) {
    out += R"(,"categories":[)";
    for (std::size_t i = 0; i < c->categories.size(); ++i) {
      out += fmt::format(R"({}"{}")", i ? "," : "", JsonEscape(c->categories[i]));
    }
    if (corpus.CrmMarked(h, copy.user, copy.folder)) {
      out += fmt::format(R"({}"{}")", c->categories.empty() ? "" : ",", kCrmMarker);
    }
    out += ']';
  }
  if (has(kReceived)) out += fmt::format(R"(,"receivedDateTime":"{}")", received);
  if (has(kSent)) out += fmt::format(R"(,"sentDateTime":"{}")", FormatIsoUtc(h.sent));
  if (has(kHasAttachments)) out += fmt::format(R"(,"hasAttachments":{})", c->has_attachments);
  if (has(kInternetMessageId)) out += fmt::format(R"(,"internetMessageId":"{}")", JsonEscape(h.internet_message_id));
  if (has(kSubject)) out += fmt::format(R"(,"subject":"{}")", JsonEscape(c->subject));
  if (has(kBodyPreview)) out += fmt::format(R"(,"bodyPreview":"{}")", JsonEscape(Utf8Prefix(c->body, 255)));
  if (has(kImportance)) out += fmt::format(R"(,"importance":"{}")", c->importance);
  if (has(kParentFolderId)) {
    out += fmt::format(R"(,"parentFolderId":"{}")", corpus.FolderId(h.ref.tenant, copy.user, copy.folder));
  }
  if (has(kConversationId)) out += fmt::format(R"(,"conversationId":"{}")", c->conversation_id);
  if (has(kConversationIndex)) out += fmt::format(R"(,"conversationIndex":"AQHa{}")", Base62(rng, 24));
  if (has(kDeliveryReceipt)) out += R"(,"isDeliveryReceiptRequested":false)";
  if (has(kReadReceipt)) out += R"(,"isReadReceiptRequested":false)";
  if (has(kIsRead)) out += fmt::format(R"(,"isRead":{})", copy.folder == Folder::kSentItems || rng.Chance(60));
  if (has(kIsDraft)) out += R"(,"isDraft":false)";
  if (has(kWebLink)) {
    out += fmt::format(R"(,"webLink":"https://outlook.office365.com/owa/?ItemID={}&exvsurl=1&viewmodel=ReadMessageItem")", id);
  }
  if (has(kInference)) out += R"(,"inferenceClassification":"focused")";
  auto body_json = [&](const char* name) {
    if (text_body) {
      out += fmt::format(R"(,"{}":{{"contentType":"text","content":"{}"}})", name, JsonEscape(c->body));
    } else {
      out += fmt::format(R"(,"{}":{{"contentType":"html","content":"{}"}})", name, JsonEscape(HtmlBody(c->body)));
    }
  };
  if (has(kBody)) body_json("body");
  if (has(kSender)) out += fmt::format(R"(,"sender":{})", Recipient(h.from));
  if (has(kFrom)) out += fmt::format(R"(,"from":{})", Recipient(h.from));
  if (has(kTo)) out += fmt::format(R"(,"toRecipients":{})", Recipients(h.to));
  if (has(kCc)) out += fmt::format(R"(,"ccRecipients":{})", Recipients(h.cc));
  if (has(kBcc)) out += R"(,"bccRecipients":[])";
  if (has(kReplyTo)) out += R"(,"replyTo":[])";
  if (has(kFlag)) out += R"(,"flag":{"flagStatus":"notFlagged"})";
  if (has(kUniqueBody)) body_json("uniqueBody");
  if (has(kHeaders)) {
    out += fmt::format(
        R"(,"internetMessageHeaders":[{{"name":"Message-ID","value":"{}"}},{{"name":"Subject","value":"{}"}},{{"name":"MIME-Version","value":"1.0"}})",
        JsonEscape(h.internet_message_id), JsonEscape(c->subject));
    for (const auto& [name, value] : h.traits.headers) {
      out += fmt::format(R"(,{{"name":"{}","value":"{}"}})", JsonEscape(name), JsonEscape(value));
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::string UserJson(const Tenant&, const MailUser& user, std::uint64_t mask) {
  auto has = [mask](int prop) { return (mask & Bit(prop)) != 0; };
  std::string out = fmt::format(R"({{"id":"{}")", user.graph_id);
  if (has(kBusinessPhones)) out += R"(,"businessPhones":[])";
  if (has(kDisplayName)) out += fmt::format(R"(,"displayName":"{}")", JsonEscape(user.display_name));
  if (has(kGivenName)) out += fmt::format(R"(,"givenName":"{}")", JsonEscape(user.given_name));
  if (has(kJobTitle)) out += R"(,"jobTitle":null)";
  if (has(kMail)) out += fmt::format(R"(,"mail":"{}")", JsonEscape(user.primary));
  if (has(kMobilePhone)) out += R"(,"mobilePhone":null)";
  if (has(kOfficeLocation)) out += R"(,"officeLocation":null)";
  if (has(kPreferredLanguage)) out += R"(,"preferredLanguage":"en-US")";
  if (has(kSurname)) out += fmt::format(R"(,"surname":"{}")", JsonEscape(user.surname));
  if (has(kUpn)) out += fmt::format(R"(,"userPrincipalName":"{}")", JsonEscape(user.primary));
  if (has(kAccountEnabled)) out += R"(,"accountEnabled":true)";
  if (has(kProxyAddresses)) {
    out += fmt::format(R"(,"proxyAddresses":["SMTP:{}")", JsonEscape(user.primary));
    for (const auto& alias : user.aliases) out += fmt::format(R"(,"smtp:{}")", JsonEscape(alias));
    out += ']';
  }
  out += '}';
  return out;
}

}  // namespace crmsync::sim

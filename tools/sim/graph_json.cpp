#include "graph_json.hpp"

#include <array>
#include <functional>
#include <string_view>

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

// `text` as a JSON string's content: copied as it is when known to need no
// escape (`plain`, marked once when the corpus is built), escaped otherwise.
void AppendJsonText(std::string& out, std::string_view text, bool plain) {
  if (plain) {
    out += text;
  } else {
    AppendJsonEscaped(out, text);
  }
}

void AppendRecipient(std::string& out, const Participant& p) {
  out += R"({"emailAddress":{"name":")";
  AppendJsonText(out, p.name, p.json_plain);
  out += R"(","address":")";
  AppendJsonText(out, p.address, p.json_plain);
  out += R"("}})";
}

void AppendRecipients(std::string& out, const std::vector<Participant>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ',';
    AppendRecipient(out, list[i]);
  }
  out += ']';
}

// `text` as Outlook's HTML body, JSON-escaped onto `out`.
void AppendHtmlBody(std::string& out, std::string_view text) {
  thread_local std::string html;   // reused: a page renders up to 1,000 bodies
  html.clear();
  html += "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
          "</head><body><div>";
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '<' && c != '>' && c != '&' && c != '"' && c != '\r' && c != '\n') continue;
    html.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '<': html += "&lt;"; break;
      case '>': html += "&gt;"; break;
      case '&': html += "&amp;"; break;
      case '"': html += "&quot;"; break;
      case '\n': html += "<br>\r\n"; break;
      default: break;   // '\r' is dropped
    }
  }
  html.append(text.data() + run, text.size() - run);
  html += "</div></body></html>";
  AppendJsonEscaped(out, html);
}

// ,"name":"value" with `value` escaped unless `plain` (AppendJsonText).
void AppendStringProperty(std::string& out, std::string_view name, std::string_view value, bool plain = false) {
  out += ",\"";
  out += name;
  out += "\":\"";
  AppendJsonText(out, value, plain);
  out += '"';
}

// ,"name":"value" with `value` taken as it is (ids, dates: no character to escape).
void AppendRawProperty(std::string& out, std::string_view name, std::string_view value) {
  AppendStringProperty(out, name, value, true);
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

void AppendMessageJson(std::string& out, const Corpus& corpus, const MessageCopy& copy, std::uint64_t mask,
                       bool text_body) {
  const MessageHeader& h = *copy.header;
  const MessageContent* c = copy.content;
  const Corpus::MessageIdText id_text = corpus.MailboxMessageIdText(h, copy.user, copy.folder);
  const std::string_view id = id_text.view();
  // The draws from `rng` keep their order: change key, conversationIndex, isRead.
  // (std::hash of a string_view equals that of the std::string the id once was.)
  Rng rng(Mix64(std::hash<std::string_view>{}(id)));
  char change_key_text[31] = {'C', 'Q', 'A', 'A', 'A', 'B', 'Y', 'A', 'A', 'A', 'A'};
  WriteBase62(rng, change_key_text + 11, 20);
  const std::string_view change_key(change_key_text, sizeof change_key_text);
  out += R"({"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\")";
  out += change_key;
  out += R"(\"","id":")";
  out += id;
  out += '"';
  auto has = [mask](int prop) { return (mask & Bit(prop)) != 0; };
  auto date = [&out](std::string_view name, std::int64_t seconds) {
    out += ",\"";
    out += name;
    out += "\":\"";
    AppendIsoUtc(out, seconds);
    out += '"';
  };
  if (has(kCreated)) date("createdDateTime", h.received);
  if (has(kLastModified)) date("lastModifiedDateTime", h.received);
  if (has(kChangeKey)) AppendRawProperty(out, "changeKey", change_key);
  if (has(kCategories)) {
    out += R"(,"categories":[)";
    for (std::size_t i = 0; i < c->categories.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      AppendJsonEscaped(out, c->categories[i]);
      out += '"';
    }
    if (corpus.CrmMarked(h, copy.user, copy.folder)) {
      if (!c->categories.empty()) out += ',';
      out += '"';
      out += kCrmMarker;
      out += '"';
    }
    out += ']';
  }
  if (has(kReceived)) date("receivedDateTime", h.received);
  if (has(kSent)) date("sentDateTime", h.sent);
  if (has(kHasAttachments)) out += c->has_attachments ? R"(,"hasAttachments":true)" : R"(,"hasAttachments":false)";
  // The message id is base62, digits and the sender's domain: plain when the sender is.
  const bool id_plain = h.from.json_plain;
  if (has(kInternetMessageId)) AppendStringProperty(out, "internetMessageId", h.internet_message_id, id_plain);
  if (has(kSubject)) AppendStringProperty(out, "subject", c->subject);
  if (has(kBodyPreview)) AppendStringProperty(out, "bodyPreview", Utf8Prefix(c->body, 255));
  if (has(kImportance)) AppendRawProperty(out, "importance", c->importance);
  if (has(kParentFolderId)) {
    if (copy.folder_id.empty()) {
      AppendRawProperty(out, "parentFolderId", corpus.FolderId(h.ref.tenant, copy.user, copy.folder));
    } else {
      AppendRawProperty(out, "parentFolderId", copy.folder_id);
    }
  }
  if (has(kConversationId)) AppendRawProperty(out, "conversationId", c->conversation_id);
  if (has(kConversationIndex)) {
    out += R"(,"conversationIndex":"AQHa)";
    AppendBase62(out, rng, 24);
    out += '"';
  }
  if (has(kDeliveryReceipt)) out += R"(,"isDeliveryReceiptRequested":false)";
  if (has(kReadReceipt)) out += R"(,"isReadReceiptRequested":false)";
  if (has(kIsRead)) {
    out += copy.folder == Folder::kSentItems || rng.Chance(60) ? R"(,"isRead":true)" : R"(,"isRead":false)";
  }
  if (has(kIsDraft)) out += R"(,"isDraft":false)";
  if (has(kWebLink)) {
    out += R"(,"webLink":"https://outlook.office365.com/owa/?ItemID=)";
    out += id;
    out += R"(&exvsurl=1&viewmodel=ReadMessageItem")";
  }
  if (has(kInference)) out += R"(,"inferenceClassification":"focused")";
  auto body_json = [&](std::string_view name) {
    out += ",\"";
    out += name;
    if (text_body) {
      out += R"(":{"contentType":"text","content":")";
      AppendJsonEscaped(out, c->body);
    } else {
      out += R"(":{"contentType":"html","content":")";
      AppendHtmlBody(out, c->body);
    }
    out += "\"}";
  };
  if (has(kBody)) body_json("body");
  if (has(kSender)) {
    out += R"(,"sender":)";
    AppendRecipient(out, h.from);
  }
  if (has(kFrom)) {
    out += R"(,"from":)";
    AppendRecipient(out, h.from);
  }
  if (has(kTo)) {
    out += R"(,"toRecipients":)";
    AppendRecipients(out, h.to);
  }
  if (has(kCc)) {
    out += R"(,"ccRecipients":)";
    AppendRecipients(out, h.cc);
  }
  if (has(kBcc)) out += R"(,"bccRecipients":[])";
  if (has(kReplyTo)) out += R"(,"replyTo":[])";
  if (has(kFlag)) out += R"(,"flag":{"flagStatus":"notFlagged"})";
  if (has(kUniqueBody)) body_json("uniqueBody");
  if (has(kHeaders)) {
    out += R"(,"internetMessageHeaders":[{"name":"Message-ID","value":")";
    AppendJsonText(out, h.internet_message_id, id_plain);
    out += R"("},{"name":"Subject","value":")";
    AppendJsonEscaped(out, c->subject);
    out += R"("},{"name":"MIME-Version","value":"1.0"})";
    for (const auto& [name, value] : h.traits.headers) {
      out += R"(,{"name":")";
      AppendJsonEscaped(out, name);
      out += R"(","value":")";
      AppendJsonEscaped(out, value);
      out += R"("})";
    }
    out += ']';
  }
  out += '}';
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

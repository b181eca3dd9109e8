#include "gmail_service.hpp"

#include <ctime>
#include <optional>
#include <vector>

#include <fmt/core.h>

#include "gmail_batch.hpp"
#include "ground_truth.hpp"
#include "json_escape.hpp"
#include "prng.hpp"
#include "text_util.hpp"

namespace crmsync::sim::google {
namespace {

constexpr std::string_view kGmailPrefix = "/gmail/v1/users/";
constexpr std::string_view kBatchPath = "/batch/gmail/v1";
constexpr std::string_view kDirectoryUsers = "/admin/directory/v1/users";
constexpr std::string_view kDirectoryGroups = "/admin/directory/v1/groups/";
constexpr std::string_view kMembersSuffix = "/members";

// "/admin/directory/v1/groups/{groupKey}/members" -> groupKey.
std::optional<std::string_view> GroupKeyOfMembersPath(std::string_view path) {
  if (path.rfind(kDirectoryGroups, 0) != 0 || path.size() <= kDirectoryGroups.size() + kMembersSuffix.size() ||
      path.substr(path.size() - kMembersSuffix.size()) != kMembersSuffix) {
    return std::nullopt;
  }
  std::string_view key = path.substr(kDirectoryGroups.size(), path.size() - kDirectoryGroups.size() - kMembersSuffix.size());
  if (key.find('/') != std::string_view::npos) return std::nullopt;
  return key;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

std::vector<std::string> QueryValues(const HttpRequest& request, const std::string& name) {
  std::vector<std::string> out;
  auto [first, last] = request.query.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

HttpResponse AuthError() {
  HttpResponse r = JsonResponse(
      401,
      R"({"error":{"code":401,"message":"Invalid Credentials","errors":[{"domain":"global","reason":"authError","message":"Invalid Credentials","locationType":"header","location":"Authorization"}],"status":"UNAUTHENTICATED"}})");
  r.headers.emplace("WWW-Authenticate", R"(Bearer realm="https://accounts.google.com/", error="invalid_token")");
  return r;
}

HttpResponse QuotaError() {
  HttpResponse r = GoogleError(429, "User-rate limit exceeded. Retry after a second.", "userRateLimitExceeded",
                               "RESOURCE_EXHAUSTED", "usageLimits");
  r.headers.emplace("Retry-After", "1");
  return r;
}

bool HasAny(const std::set<std::string>& scopes, std::initializer_list<std::string_view> wanted) {
  for (std::string_view w : wanted) {
    if (scopes.count(std::string(w)) != 0) return true;
  }
  return false;
}

// "Name <addr>", quoting the name when RFC 5322 requires it.
std::string Mailbox(const Participant& p) {
  if (p.name.empty() || p.name == p.address) return std::string(p.address);
  bool special = p.name.find_first_of("()<>@,;:\\\".[]") != std::string::npos;
  if (!special) return fmt::format("{} <{}>", p.name, p.address);
  std::string quoted;
  for (char c : p.name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return fmt::format("\"{}\" <{}>", quoted, p.address);
}

std::string MailboxList(const std::vector<Participant>& list) {
  std::string out;
  for (const Participant& p : list) out += (out.empty() ? "" : ", ") + Mailbox(p);
  return out;
}

std::string Rfc5322Date(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

std::string StringList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += fmt::format(R"({}"{}")", i ? "," : "", JsonEscape(items[i]));
  return out + "]";
}

// "after:2026/11/01" (midnight UTC) or "after:1793491200" (epoch seconds).
std::optional<std::int64_t> ParseSearchDate(std::string_view text) {
  if (auto n = ParseUint(text)) return static_cast<std::int64_t>(*n);
  auto parts = Split(text, '/');
  if (parts.size() != 3) return std::nullopt;
  auto y = ParseUint(parts[0]), m = ParseUint(parts[1]), d = ParseUint(parts[2]);
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1 || *d > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = static_cast<int>(*y) - 1900;
  tm.tm_mon = static_cast<int>(*m) - 1;
  tm.tm_mday = static_cast<int>(*d);
  return static_cast<std::int64_t>(timegm(&tm));
}

struct Filter {
  std::optional<std::int64_t> after, before;
  std::vector<std::string> labels;   // all required
};

std::optional<Filter> ParseFilter(const HttpRequest& request) {
  Filter f;
  f.labels = QueryValues(request, "labelIds");
  if (auto q = QueryValue(request, "q")) {
    for (std::string_view term : Split(*q, ' ')) {
      if (term.empty() || term == "-in:chats") continue;
      std::string lower = AsciiLower(term);
      if (lower.rfind("after:", 0) == 0 || lower.rfind("before:", 0) == 0) {
        bool after = lower[0] == 'a';
        auto when = ParseSearchDate(term.substr(after ? 6 : 7));
        if (!when) return std::nullopt;
        (after ? f.after : f.before) = *when;
      } else if (lower == "in:inbox") {
        f.labels.emplace_back("INBOX");
      } else if (lower == "in:sent") {
        f.labels.emplace_back("SENT");
      }
      // Other search terms are accepted and ignored.
    }
  }
  return f;
}

bool Matches(const Filter& f, const MessageHeader& h, const std::vector<std::string>& labels) {
  if (f.after && h.sent < *f.after) return false;
  if (f.before && h.sent >= *f.before) return false;
  for (const std::string& wanted : f.labels) {
    if (std::find(labels.begin(), labels.end(), wanted) == labels.end()) return false;
  }
  return true;
}

// Page tokens: "epoch.slot.index.to_epoch", validated against the corpus.
std::string PageToken(const MailboxCursor& c, int to_epoch) {
  return fmt::format("{}.{}.{}.{}", c.epoch, c.slot, c.index, to_epoch);
}

std::optional<std::pair<MailboxCursor, int>> ParsePageToken(std::string_view token, int epochs) {
  auto parts = Split(token, '.');
  if (parts.size() != 4) return std::nullopt;
  std::uint64_t v[4];
  for (int i = 0; i < 4; ++i) {
    auto n = ParseUint(parts[static_cast<std::size_t>(i)]);
    if (!n || *n > (1ULL << 30)) return std::nullopt;
    v[i] = *n;
  }
  if (v[3] > static_cast<std::uint64_t>(epochs) || v[0] > v[3] || v[1] > 2) return std::nullopt;
  return std::make_pair(MailboxCursor{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2])},
                        static_cast<int>(v[3]));
}

std::optional<int> PageSize(const HttpRequest& request) {
  auto text = QueryValue(request, "maxResults");
  if (!text) return GmailService::kDefaultPage;
  auto n = ParseUint(*text);
  if (!n) return std::nullopt;
  if (*n == 0) return GmailService::kDefaultPage;
  return static_cast<int>(std::min<std::uint64_t>(*n, GmailService::kMaxPage));
}

HttpResponse BadRequest(std::string_view message) {
  return GoogleError(400, message, "invalidArgument", "INVALID_ARGUMENT");
}

}  // namespace

HttpResponse GoogleError(int code, std::string_view message, std::string_view reason, std::string_view status,
                         std::string_view domain) {
  return JsonResponse(code, fmt::format(
                                R"({{"error":{{"code":{},"message":"{}","errors":[{{"message":"{}","domain":"{}","reason":"{}"}}],"status":"{}"}}}})",
                                code, JsonEscape(message), JsonEscape(message), domain, reason, status));
}

GmailService::GmailService(const Corpus& corpus, const GoogleAuth& auth, RequestStats& stats, GmailOptions options,
                           SteadyClock clock)
    : corpus_(corpus), auth_(auth), stats_(stats), options_(options), mailbox_(corpus), quota_(options.user_quota, std::move(clock)) {}

bool GmailService::Owns(const HttpRequest& request) {
  const std::string& p = request.path;
  return p.rfind(kGmailPrefix, 0) == 0 || p == kBatchPath || p.rfind("/admin/directory/v1/", 0) == 0;
}

HttpResponse GmailService::Handle(const HttpRequest& request) {
  if (request.path == kBatchPath) {
    HttpResponse r = Batch(request);
    stats_.Count("gmail.batch", r.status);
    return r;
  }
  const char* family = "gmail.other";
  HttpResponse r = Single(request, family);
  stats_.Count(family, r.status);
  return r;
}

HttpResponse GmailService::Single(const HttpRequest& request, const char*& family) {
  const bool directory = request.path.rfind("/admin/directory/v1/", 0) == 0;
  std::vector<std::string_view> seg;
  if (!directory) {
    if (request.path.rfind(kGmailPrefix, 0) != 0) return GoogleError(404, "Not Found", "notFound", "NOT_FOUND");
    seg = Split(std::string_view(request.path).substr(kGmailPrefix.size()), '/');
    // seg: userId, resource...
    if (seg.size() == 2 && seg[1] == "profile") family = "gmail.profile";
    else if (seg.size() == 2 && seg[1] == "messages") family = "gmail.list";
    else if (seg.size() == 3 && seg[1] == "messages") family = "gmail.get";
    else if (seg.size() == 2 && seg[1] == "history") family = "gmail.history";
    else if (seg.size() == 3 && seg[1] == "settings" && seg[2] == "sendAs") family = "gmail.sendas";
    else if (seg.size() == 2 && seg[1] == "labels") family = "gmail.labels";
  } else if (request.path == kDirectoryUsers) {
    family = "directory.users";
  } else if (GroupKeyOfMembersPath(request.path)) {
    family = "directory.members";
  } else {
    family = "directory.other";
  }
  if (request.method != "GET") return GoogleError(405, "Method not allowed.", "methodNotAllowed", "INVALID_ARGUMENT");

  std::string authorization = request.header("authorization");
  std::string_view token;
  if (authorization.size() > 7 && EqualsNoCase(authorization.substr(0, 7), "bearer ")) {
    token = Trim(std::string_view(authorization).substr(7));
  }
  auto check = auth_.Check(token);
  if (token.empty() || check.state != GoogleAuth::TokenState::kValid) return AuthError();
  const Tenant& tenant = corpus_.tenants()[static_cast<std::size_t>(check.tenant)];
  const MailUser& me = tenant.users[static_cast<std::size_t>(check.user)];

  if (directory) {
    if (auto group = GroupKeyOfMembersPath(request.path)) {
      if (!HasAny(check.scopes, {kDirectoryGroupMemberReadonlyScope, "https://www.googleapis.com/auth/admin.directory.group.member",
                                 "https://www.googleapis.com/auth/admin.directory.group.readonly",
                                 "https://www.googleapis.com/auth/admin.directory.group"})) {
        return GoogleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                           "PERMISSION_DENIED");
      }
      return DirectoryGroupMembers(request, check.tenant, *group);
    }
    if (request.path != kDirectoryUsers) return GoogleError(404, "Not Found", "notFound", "NOT_FOUND");
    if (!HasAny(check.scopes, {kDirectoryUserReadonlyScope, "https://www.googleapis.com/auth/admin.directory.user"})) {
      return GoogleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                         "PERMISSION_DENIED");
    }
    return DirectoryUsers(request, check.tenant);
  }
  if (seg[0] != "me" && !EqualsNoCase(seg[0], me.primary)) {
    auto named = corpus_.FindUser(seg[0]);
    if (named && named->first != check.tenant) auth_.RecordIsolationViolation(named->first);
    // A user's own token on a colleague's mailbox: the client mixed up grants.
    if (named && named->first == check.tenant && check.oauth_user) auth_.RecordDelegationViolation(check.tenant);
    return GoogleError(403, fmt::format("Delegation denied for {}", me.primary), "forbidden", "PERMISSION_DENIED");
  }
  if (!HasAny(check.scopes, {kGmailReadonlyScope, "https://mail.google.com/", "https://www.googleapis.com/auth/gmail.modify",
                             "https://www.googleapis.com/auth/gmail.metadata"})) {
    return GoogleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                       "PERMISSION_DENIED");
  }
  std::string_view f = family;
  int units = f == "gmail.profile" || f == "gmail.sendas" || f == "gmail.labels" ? 1 : f == "gmail.history" ? 2 : 5;
  if (!quota_.Charge(check.tenant, check.user, units)) return QuotaError();
  if (f == "gmail.profile") return Profile(check.tenant, check.user);
  if (f == "gmail.list") return List(request, check.tenant, check.user);
  if (f == "gmail.get") return Get(request, check.tenant, check.user, seg[2]);
  if (f == "gmail.history") return History(request, check.tenant, check.user);
  if (f == "gmail.sendas") return SendAs(check.tenant, check.user);
  if (f == "gmail.labels") return Labels(check.tenant, check.user);
  return GoogleError(404, "Not Found", "notFound", "NOT_FOUND");
}

HttpResponse GmailService::Batch(const HttpRequest& request) {
  if (request.method != "POST") return GoogleError(405, "Method not allowed.", "methodNotAllowed", "INVALID_ARGUMENT");
  auto parts = ParseBatch(request.header("content-type"), request.body);
  if (!parts.ok()) return BadRequest(parts.status().message());
  if (parts->size() > kMaxBatchParts) {
    return BadRequest(fmt::format("Too many requests in batch: {} (the limit is {}).", parts->size(), kMaxBatchParts));
  }
  std::vector<std::pair<std::string, HttpResponse>> answers;
  answers.reserve(parts->size());
  for (std::size_t i = 0; i < parts->size(); ++i) {
    BatchPart& part = (*parts)[i];
    HttpRequest inner = std::move(part.request);
    for (const auto& [name, value] : request.headers) {
      if (name == "authorization" && inner.headers.count(name) == 0) inner.headers[name] = value;
    }
    const char* family = "gmail.other";
    HttpResponse r = inner.path == kBatchPath ? BadRequest("nested batch requests are not allowed") : Single(inner, family);
    stats_.Count(family, r.status);
    std::string id = part.content_id.empty() ? fmt::format("{}", i + 1) : part.content_id;
    answers.emplace_back(std::move(id), std::move(r));
  }
  std::string boundary = "batch_" + RandomToken(12);
  HttpResponse out;
  out.status = 200;
  out.headers.emplace("Content-Type", "multipart/mixed; boundary=" + boundary);
  out.body = RenderBatchResponse(boundary, answers);
  return out;
}

HttpResponse GmailService::Profile(int tenant, int user) {
  const Epochs epochs = corpus_.epochs();
  const int to_epoch = static_cast<int>(epochs.size());
  MailboxCursor cursor;
  std::uint64_t total = 0;
  while (mailbox_.Next(tenant, user, to_epoch, epochs, cursor)) ++total;
  const MailUser& me = corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user)];
  return JsonResponse(200, fmt::format(R"({{"emailAddress":"{}","messagesTotal":{},"threadsTotal":{},"historyId":"{}"}})",
                                       JsonEscape(me.primary), total, total, GmailMailbox::MailboxHistoryId(to_epoch)));
}

HttpResponse GmailService::List(const HttpRequest& request, int tenant, int user) {
  const Epochs epochs = corpus_.epochs();
  auto page = PageSize(request);
  if (!page) return BadRequest("Invalid maxResults");
  auto filter = ParseFilter(request);
  if (!filter) return BadRequest("Invalid search query");
  MailboxCursor cursor;
  int to_epoch = static_cast<int>(epochs.size());
  if (auto token = QueryValue(request, "pageToken"); token && !token->empty()) {
    auto parsed = ParsePageToken(*token, to_epoch);
    if (!parsed) return BadRequest("Invalid pageToken");
    cursor = parsed->first;
    to_epoch = parsed->second;
  }
  std::string items;
  int count = 0;
  std::optional<MailboxCursor> next;
  while (true) {
    MailboxCursor before = cursor;
    auto h = mailbox_.Next(tenant, user, to_epoch, epochs, cursor);
    if (!h) break;
    if (!Matches(*filter, *h, mailbox_.Labels(*h, user))) continue;
    if (count == *page) {
      next = before;
      break;
    }
    std::string id = mailbox_.MessageId(*h, user);
    items += fmt::format(R"({}{{"id":"{}","threadId":"{}"}})", count ? "," : "", id, id);
    ++count;
  }
  std::string body = "{";
  if (count > 0) body += fmt::format(R"("messages":[{}],)", items);
  if (next) body += fmt::format(R"("nextPageToken":"{}",)", PageToken(*next, to_epoch));
  body += fmt::format(R"("resultSizeEstimate":{}}})", count + (next ? 1 : 0));
  return JsonResponse(200, std::move(body));
}

HttpResponse GmailService::History(const HttpRequest& request, int tenant, int user) {
  const Epochs epochs = corpus_.epochs();
  const int epoch_count = static_cast<int>(epochs.size());
  auto start_text = QueryValue(request, "startHistoryId");
  if (!start_text) return BadRequest("Missing required parameter: startHistoryId");
  auto start = ParseUint(*start_text);
  if (!start) return BadRequest("Invalid startHistoryId");
  auto page = PageSize(request);
  if (!page) return BadRequest("Invalid maxResults");
  const int oldest_epoch = std::max(0, epoch_count - options_.history_retention);
  const auto oldest = static_cast<std::uint64_t>(GmailMailbox::EpochBase(oldest_epoch) - 1);
  if (*start < oldest) {
    return JsonResponse(
        404,
        R"({"error":{"code":404,"message":"Requested entity was not found.","errors":[{"message":"Requested entity was not found.","domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}})");
  }
  bool added = true;
  if (auto types = QueryValues(request, "historyTypes"); !types.empty()) {
    added = std::find(types.begin(), types.end(), "messageAdded") != types.end();
  }
  Filter filter;
  if (auto label = QueryValue(request, "labelId")) filter.labels.push_back(*label);

  int to_epoch = epoch_count;
  MailboxCursor cursor = GmailMailbox::CursorAfter(static_cast<std::int64_t>(std::min<std::uint64_t>(*start, 1ULL << 62)));
  if (auto token = QueryValue(request, "pageToken"); token && !token->empty()) {
    auto parsed = ParsePageToken(*token, epoch_count);
    if (!parsed) return BadRequest("Invalid pageToken");
    cursor = parsed->first;
    to_epoch = parsed->second;
  }
  std::string records;
  int count = 0;
  std::optional<MailboxCursor> next;
  while (added && cursor.epoch < to_epoch) {
    MailboxCursor before = cursor;
    auto h = mailbox_.Next(tenant, user, to_epoch, epochs, cursor);
    if (!h) break;
    std::vector<std::string> labels = mailbox_.Labels(*h, user);
    if (!Matches(filter, *h, labels)) continue;
    if (count == *page) {
      next = before;
      break;
    }
    std::string id = mailbox_.MessageId(*h, user);
    records += fmt::format(
        R"({}{{"id":"{}","messages":[{{"id":"{}","threadId":"{}"}}],"messagesAdded":[{{"message":{{"id":"{}","threadId":"{}","labelIds":{}}}}}]}})",
        count ? "," : "", GmailMailbox::MessageHistoryId(*h, user), id, id, id, id, StringList(labels));
    ++count;
  }
  std::string body = "{";
  if (count > 0) body += fmt::format(R"("history":[{}],)", records);
  if (next) body += fmt::format(R"("nextPageToken":"{}",)", PageToken(*next, to_epoch));
  body += fmt::format(R"("historyId":"{}"}})", GmailMailbox::MailboxHistoryId(to_epoch));
  return JsonResponse(200, std::move(body));
}

HttpResponse GmailService::Get(const HttpRequest& request, int tenant, int user, std::string_view id) {
  const Epochs epochs = corpus_.epochs();
  auto h = mailbox_.Find(tenant, user, id, epochs);
  if (!h) return GoogleError(404, "Requested entity was not found.", "notFound", "NOT_FOUND");
  std::string format = AsciiLower(QueryValue(request, "format").value_or("full"));
  if (format != "full" && format != "metadata" && format != "minimal") {
    return BadRequest(fmt::format("Invalid value for format: '{}' (the simulator serves minimal, metadata, full)", format));
  }
  MessageContent content = corpus_.Content(*h);
  std::vector<std::string> labels = mailbox_.Labels(*h, user);
  std::string body = fmt::format(
      R"({{"id":"{}","threadId":"{}","labelIds":{},"snippet":"{}","historyId":"{}","internalDate":"{}","sizeEstimate":{})",
      id, id, StringList(labels), JsonEscape(GmailSnippet(content.body)), GmailMailbox::MessageHistoryId(*h, user),
      h->sent * 1000, content.body.size() + content.subject.size() + 600);
  if (format != "minimal") {
    std::vector<std::pair<std::string, std::string>> headers{
        {"From", Mailbox(h->from)}, {"To", MailboxList(h->to)}};
    if (!h->cc.empty()) headers.emplace_back("Cc", MailboxList(h->cc));
    headers.emplace_back("Subject", content.subject);
    headers.emplace_back("Date", Rfc5322Date(h->sent));
    headers.emplace_back("Message-ID", h->internet_message_id);
    headers.emplace_back("MIME-Version", "1.0");
    headers.emplace_back("Content-Type", "text/plain; charset=\"UTF-8\"");
    for (const auto& header : h->traits.headers) headers.push_back(header);
    std::vector<std::string> wanted = format == "metadata" ? QueryValues(request, "metadataHeaders") : std::vector<std::string>{};
    std::string list;
    for (const auto& [name, value] : headers) {
      if (!wanted.empty() && std::none_of(wanted.begin(), wanted.end(),
                                          [&](const std::string& w) { return EqualsNoCase(w, name); })) {
        continue;
      }
      list += fmt::format(R"({}{{"name":"{}","value":"{}"}})", list.empty() ? "" : ",", name, JsonEscape(value));
    }
    body += fmt::format(R"(,"payload":{{"partId":"","mimeType":"text/plain","filename":"","headers":[{}])", list);
    if (format == "full") {
      body += fmt::format(R"(,"body":{{"size":{},"data":"{}"}})", content.body.size(), Base64UrlEncode(content.body));
    } else {
      body += R"(,"body":{"size":0})";
    }
    body += "}";
  }
  body += "}";
  stats_.CountDetailRead();
  return JsonResponse(200, std::move(body));
}

HttpResponse GmailService::Labels(int tenant, int user) {
  return JsonResponse(
      200, fmt::format(
               R"({{"labels":[{{"id":"INBOX","name":"INBOX","type":"system"}},{{"id":"SENT","name":"SENT","type":"system"}},{{"id":"UNREAD","name":"UNREAD","type":"system"}},{{"id":"{}","name":"{}","type":"user"}}]}})",
               mailbox_.CrmLabelId(tenant, user), kCrmMarker));
}

HttpResponse GmailService::SendAs(int tenant, int user) {
  const MailUser& me = corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user)];
  std::string items = fmt::format(
      R"({{"sendAsEmail":"{}","displayName":"{}","replyToAddress":"","signature":"","isPrimary":true,"isDefault":true,"treatAsAlias":false,"verificationStatus":"accepted"}})",
      JsonEscape(me.primary), JsonEscape(me.display_name));
  for (const std::string& alias : me.aliases) {
    items += fmt::format(
        R"(,{{"sendAsEmail":"{}","displayName":"{}","replyToAddress":"","signature":"","isPrimary":false,"isDefault":false,"treatAsAlias":true,"verificationStatus":"accepted"}})",
        JsonEscape(alias), JsonEscape(me.display_name));
  }
  return JsonResponse(200, fmt::format(R"({{"sendAs":[{}]}})", items));
}

std::string GmailService::DirectoryUserId(int tenant, std::size_t user) const {
  return GoogleDirectoryUserId(corpus_, tenant, user);
}

// The corpus' one group per tenant (corpus.hpp SalesGroupAddress), by
// address or id; derived membership or not, its members are users.
HttpResponse GmailService::DirectoryGroupMembers(const HttpRequest& request, int tenant, std::string_view group_key) {
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  const std::string key(group_key);   // the server decoded the path
  if (!EqualsNoCase(key, SalesGroupAddress(t)) && key != SalesGroupId(t)) {
    return GoogleError(404, "Resource Not Found: groupKey", "notFound", "NOT_FOUND");
  }
  auto page = PageSize(request);
  if (!page) return BadRequest("Invalid maxResults");
  std::vector<std::size_t> members;
  for (std::size_t i = 0; i < t.users.size(); ++i) {
    if (InSalesGroup(t.users[i])) members.push_back(i);
  }
  std::size_t start = 0;
  if (auto token = QueryValue(request, "pageToken"); token && !token->empty()) {
    auto n = ParseUint(*token);
    if (!n || *n > members.size()) return BadRequest("Invalid pageToken");
    start = static_cast<std::size_t>(*n);
  }
  const std::size_t end = std::min(members.size(), start + static_cast<std::size_t>(*page));
  std::string items;
  for (std::size_t m = start; m < end; ++m) {
    const MailUser& u = t.users[members[m]];
    items += fmt::format(R"({}{{"kind":"admin#directory#member","id":"{}","email":"{}","role":"MEMBER","type":"USER","status":"ACTIVE"}})",
                         m == start ? "" : ",", DirectoryUserId(tenant, members[m]), JsonEscape(u.primary));
  }
  std::string body = R"({"kind":"admin#directory#members")";
  if (end > start) body += fmt::format(R"(,"members":[{}])", items);
  if (end < members.size()) body += fmt::format(R"(,"nextPageToken":"{}")", end);
  body += "}";
  return JsonResponse(200, std::move(body));
}

HttpResponse GmailService::DirectoryUsers(const HttpRequest& request, int tenant) {
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  auto customer = QueryValue(request, "customer");
  auto domain = QueryValue(request, "domain");
  if (!customer && !domain) return BadRequest("Bad Request: customer or domain is required");
  if (customer && *customer != "my_customer") {
    return GoogleError(403, "Not Authorized to access this resource/api", "forbidden", "PERMISSION_DENIED");
  }
  if (domain && std::none_of(t.domains.begin(), t.domains.end(), [&](const std::string& d) { return EqualsNoCase(d, *domain); })) {
    return GoogleError(403, "Not Authorized to access this resource/api", "forbidden", "PERMISSION_DENIED");
  }
  auto page = PageSize(request);
  if (!page) return BadRequest("Invalid maxResults");
  std::size_t start = 0;
  if (auto token = QueryValue(request, "pageToken"); token && !token->empty()) {
    auto n = ParseUint(*token);
    if (!n || *n > t.users.size()) return BadRequest("Invalid pageToken");
    start = static_cast<std::size_t>(*n);
  }
  // Every user's primary address is in domains[0]; a secondary domain lists nobody.
  const bool listed = !domain || EqualsNoCase(*domain, t.domains[0]);
  const std::size_t end = listed ? std::min(t.users.size(), start + static_cast<std::size_t>(*page)) : start;
  std::string users;
  for (std::size_t i = start; i < end; ++i) {
    const MailUser& u = t.users[i];
    std::string id = DirectoryUserId(tenant, i);
    users += fmt::format(
        R"({}{{"kind":"admin#directory#user","id":"{}","primaryEmail":"{}","name":{{"givenName":"{}","familyName":"{}","fullName":"{}"}},"isAdmin":{},"suspended":false,"orgUnitPath":"/")",
        i == start ? "" : ",", id, JsonEscape(u.primary), JsonEscape(u.given_name), JsonEscape(u.surname),
        JsonEscape(u.display_name), i == 0);
    if (!u.aliases.empty()) users += fmt::format(R"(,"aliases":{})", StringList(u.aliases));
    users += "}";
  }
  std::string body = R"({"kind":"admin#directory#users")";
  if (end > start) body += fmt::format(R"(,"users":[{}])", users);
  if (listed && end < t.users.size()) body += fmt::format(R"(,"nextPageToken":"{}")", end);
  body += "}";
  return JsonResponse(200, std::move(body));
}

}  // namespace crmsync::sim::google

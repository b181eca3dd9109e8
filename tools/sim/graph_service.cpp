#include "graph_service.hpp"

#include <algorithm>
#include <vector>

#include <fmt/core.h>

#include "graph_groups.hpp"
#include "body_buffer.hpp"
#include "graph_json.hpp"
#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr std::string_view kRoot = "/v1.0/";

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// The folder segment of the links of a delta round: well-known names for
// Inbox and Sent Items, the folder id otherwise (as Graph links do).
std::string FolderSegment(const Corpus& corpus, int tenant, int user, Folder f) {
  if (f == Folder::kCrm) return corpus.FolderId(tenant, user, f);
  return f == Folder::kInbox ? "inbox" : "sentitems";
}

HttpResponse SyncStateNotFound(const HttpRequest& request) {
  return GraphError(request, 410, "SyncStateNotFound",
                    fmt::format("The sync state generation is not found; generation={};", RandomUuid()));
}

}  // namespace

GraphService::GraphService(const Corpus& corpus, const IdentityService& identity, std::string origin,
                           RequestStats& stats)
    : corpus_(corpus), identity_(identity), origin_(std::move(origin)), stats_(stats), tokens_(corpus.seed()) {}

bool GraphService::Owns(const HttpRequest& request) {
  return request.path.rfind(kRoot, 0) == 0 || request.path == "/v1.0";
}

HttpResponse GraphService::Handle(const HttpRequest& request) {
  std::vector<std::string_view> seg = Split(std::string_view(request.path).substr(std::min(request.path.size(), kRoot.size())));
  bool is_users = seg.size() == 1 && seg[0] == "users";
  bool is_delta = seg.size() == 6 && seg[0] == "users" && EqualsNoCase(seg[2], "mailFolders") &&
                  EqualsNoCase(seg[4], "messages") && EqualsNoCase(seg[5], "delta");
  bool is_messages = seg.size() == 5 && seg[0] == "users" && EqualsNoCase(seg[2], "mailFolders") &&
                     EqualsNoCase(seg[4], "messages");
  bool is_folders = seg.size() == 3 && seg[0] == "users" && EqualsNoCase(seg[2], "mailFolders");
  bool is_groups = seg.size() == 1 && seg[0] == "groups";
  bool is_me = seg.size() == 1 && seg[0] == "me";
  bool is_members = seg.size() == 4 && seg[0] == "groups" && EqualsNoCase(seg[2], "transitiveMembers") &&
                    EqualsNoCase(seg[3], "microsoft.graph.user");
  const std::string family = is_users     ? "graph.users"
                             : is_delta   ? "graph.delta"
                             : is_messages ? "graph.messages"
                             : is_folders ? "graph.folders"
                             : is_groups  ? "graph.groups"
                             : is_members ? "graph.group_members"
                             : is_me      ? "graph.me"
                                          : "graph.other";
  auto done = [&](HttpResponse r) {
    stats_.Count(family, r.status);
    return r;
  };

  if (!is_users && !is_delta && !is_messages && !is_folders && !is_groups && !is_members && !is_me) {
    return done(GraphError(request, 400, "BadRequest",
                           fmt::format("Resource not found for the segment '{}'.", seg.empty() ? "" : seg.back())));
  }
  if (request.method != "GET") {
    return done(GraphError(request, 405, "BadRequest", "Unsupported HTTP method for this resource."));
  }

  std::string authorization = request.header("authorization");
  std::string_view token;
  if (authorization.size() > 7 && EqualsNoCase(authorization.substr(0, 7), "bearer ")) {
    token = Trim(std::string_view(authorization).substr(7));
  }
  auto unauthorized = [&](const char* message) {
    HttpResponse r = GraphError(request, 401, "InvalidAuthenticationToken", message);
    r.headers.emplace("WWW-Authenticate",
                      "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                      "client_id=\"00000003-0000-0000-c000-000000000000\"");
    return done(std::move(r));
  };
  if (token.empty()) return unauthorized("Access token is empty.");
  auto check = identity_.Check(token);
  if (check.state == IdentityService::TokenState::kUnknown || check.audience != IdentityService::Audience::kGraph) {
    return unauthorized("Access token validation failure. Invalid audience.");
  }
  if (check.state == IdentityService::TokenState::kExpired) {
    return unauthorized("Access token has expired or is not yet valid.");
  }
  if (is_me) {
    if (check.user < 0) {
      return done(GraphError(request, 400, "BadRequest", "/me request is only valid with delegated authentication flow."));
    }
    return done(Me(request, check.tenant, check.user));
  }
  if (check.user >= 0 && !is_delta && !is_messages && !is_folders) {
    // A user's own consent (Mail.Read, User.Read) does not reach the directory.
    return done(GraphError(request, 403, "Authorization_RequestDenied",
                           "Insufficient privileges to complete the operation."));
  }
  if (is_users) return done(Users(request, check.tenant));
  const Tenant& tenant = corpus_.tenants()[static_cast<std::size_t>(check.tenant)];
  if (is_groups) return done(GraphGroupsByMail(request, tenant));
  if (is_members) return done(GraphGroupMembers(request, tenant, seg[1], origin_));
  if (is_messages) return done(Messages(request, check.tenant, seg[1], seg[3], check.user));
  if (is_folders) return done(MailFolders(request, check.tenant, seg[1], check.user));
  return done(Delta(request, check.tenant, seg[1], seg[3], check.user));
}

std::optional<HttpResponse> GraphService::MailboxRefused(const HttpRequest& request, int tenant,
                                                        std::string_view user_key, int token_user, int& user) {
  auto found = corpus_.FindUser(user_key);
  if (!found) {
    return GraphError(request, 404, "ErrorInvalidUser", fmt::format("The requested user '{}' is invalid.", user_key));
  }
  auto [user_tenant, found_user] = *found;
  user = found_user;
  if (user_tenant != tenant) {
    if (isolation_ != nullptr) isolation_->Record(user_tenant);
    return GraphError(request, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  if (token_user >= 0 && token_user != user) {
    // A delegated token reads its own user's mailbox and no other.
    if (delegation_ != nullptr) delegation_->Record(tenant);
    return GraphError(request, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  if (access_ != nullptr && access_->UserRevoked(tenant, user)) {
    return GraphError(request, 403, "ErrorAccessDenied",
                      "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.");
  }
  return std::nullopt;
}

HttpResponse GraphService::Me(const HttpRequest& request, int tenant, int user) {
  std::uint64_t mask = DefaultUserMask();
  if (auto select = QueryValue(request, "$select")) {
    std::string unknown;
    auto parsed = UserSelectMask(*select, unknown);
    if (!parsed) {
      return GraphError(request, 400, "Request_BadRequest",
                        fmt::format("Could not find a property named '{}' on type 'Microsoft.DirectoryServices.User'.", unknown));
    }
    mask = *parsed;
  }
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  std::string body = UserJson(t, t.users[static_cast<std::size_t>(user)], mask);
  // One object, with its context in front, as Graph answers /me.
  body.insert(1, fmt::format(R"("@odata.context":"{}/v1.0/$metadata#users/$entity",)", JsonEscape(origin_)));
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

HttpResponse GraphService::Users(const HttpRequest& request, int tenant) {
  UsersPosition pos;
  pos.tenant = tenant;
  pos.select_mask = DefaultUserMask();
  if (auto skip = QueryValue(request, "$skiptoken")) {
    auto decoded = tokens_.DecodeUsers(*skip);
    if (!decoded || decoded->tenant != tenant) {
      return GraphError(request, 400, "Request_BadRequest",
                        "The specified page token value has expired and can no longer be included in your request.");
    }
    pos = *decoded;
  } else {
    if (auto select = QueryValue(request, "$select")) {
      std::string unknown;
      auto mask = UserSelectMask(*select, unknown);
      if (!mask) {
        return GraphError(request, 400, "Request_BadRequest",
                          fmt::format("Could not find a property named '{}' on type 'Microsoft.DirectoryServices.User'.", unknown));
      }
      pos.select_mask = *mask;
    }
    pos.page_size = kDefaultUserPage;
    if (auto prefs = ParsePrefer(request.header("prefer")); prefs.max_page_size) {
      pos.page_size = std::min(*prefs.max_page_size, kMaxUserPage);
    }
    if (auto top = QueryValue(request, "$top")) {
      auto n = ParseUint(*top);
      if (!n || *n < 1 || *n > static_cast<std::uint64_t>(kMaxUserPage)) {
        return GraphError(request, 400, "Request_BadRequest",
                          fmt::format("Invalid page size specified: '{}'. Must be between 1 and 999 inclusive.", *top));
      }
      pos.page_size = static_cast<int>(*n);
    }
  }
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  const int total = static_cast<int>(t.users.size());
  int end = std::min(total, pos.offset + pos.page_size);
  std::string body = fmt::format(R"({{"@odata.context":"{}/v1.0/$metadata#users")", JsonEscape(origin_));
  if (end < total) {
    UsersPosition next = pos;
    next.offset = end;
    body += fmt::format(R"(,"@odata.nextLink":"{}/v1.0/users?$skiptoken={}")", JsonEscape(origin_), tokens_.Encode(next));
  }
  body += R"(,"value":[)";
  for (int i = pos.offset; i < end; ++i) {
    if (i > pos.offset) body += ',';
    body += UserJson(t, t.users[static_cast<std::size_t>(i)], pos.select_mask);
  }
  body += "]}";
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

std::optional<HttpResponse> GraphService::FindMailbox(const HttpRequest& request, int tenant, std::string_view user_key,
                                                      std::string_view folder_key, int token_user, int& user,
                                                      Folder& folder) {
  if (auto refused = MailboxRefused(request, tenant, user_key, token_user, user)) return refused;
  if (EqualsNoCase(folder_key, "inbox") || folder_key == corpus_.FolderId(tenant, user, Folder::kInbox)) {
    folder = Folder::kInbox;
  } else if (EqualsNoCase(folder_key, "sentitems") || folder_key == corpus_.FolderId(tenant, user, Folder::kSentItems)) {
    folder = Folder::kSentItems;
  } else if (Corpus::HasCrmFolder(user) && folder_key == corpus_.FolderId(tenant, user, Folder::kCrm)) {
    folder = Folder::kCrm;
  } else {
    return GraphError(request, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }
  return std::nullopt;
}

HttpResponse GraphService::Delta(const HttpRequest& request, int tenant, std::string_view user_key,
                                 std::string_view folder_key, int token_user) {
  int user = 0;
  Folder folder = Folder::kInbox;
  if (auto refused = FindMailbox(request, tenant, user_key, folder_key, token_user, user, folder)) {
    return std::move(*refused);
  }

  const Epochs epochs = corpus_.epochs();
  const int current = static_cast<int>(epochs.size());
  DeltaPosition pos;
  pos.tenant = tenant;
  pos.user = user;
  pos.folder = folder;
  auto skip = QueryValue(request, "$skiptoken");
  auto delta = QueryValue(request, "$deltatoken");
  if (skip && delta) return SyncStateNotFound(request);
  if (skip || delta) {
    auto decoded = tokens_.DecodeDelta(skip ? *skip : *delta);
    if (!decoded || decoded->is_delta != static_cast<bool>(delta) || decoded->tenant != tenant ||
        decoded->user != user || decoded->folder != folder || decoded->to_epoch > current ||
        decoded->from_epoch > decoded->to_epoch) {
      return SyncStateNotFound(request);
    }
    pos = *decoded;
    if (delta) {
      // A new round: everything that arrived since the saved watermark.
      pos.is_delta = false;
      pos.from_epoch = pos.to_epoch;
      pos.to_epoch = current;
      pos.cursor = ViewCursor{pos.from_epoch, 0, 0};
    }
  } else {
    for (const auto& [name, value] : request.query) {
      if (name.empty() || name[0] != '$') continue;
      if (name == "$select" || name == "$top" || name == "$expand" || name == "$filter" || name == "$orderby") continue;
      return GraphError(request, 400, "BadRequest", fmt::format("Query option '{}' is not allowed.", name));
    }
    pos.select_mask = 0;
    if (auto select = QueryValue(request, "$select")) {
      std::string unknown;
      auto mask = MessageSelectMask(*select, unknown);
      if (!mask) {
        return GraphError(request, 400, "RequestBroker--ParseUri",
                          fmt::format("Could not find a property named '{}' on type 'microsoft.graph.message'.", unknown));
      }
      pos.select_mask = *mask;
    }
    pos.from_epoch = 0;
    pos.to_epoch = current;
    pos.cursor = ViewCursor{0, 0, 0};
  }

  Preferences prefs = ParsePrefer(request.header("prefer"));
  const int page_size = std::min(prefs.max_page_size.value_or(kDefaultMessagePage), kMaxMessagePage);
  const std::uint64_t mask = pos.select_mask == 0 ? DefaultMessageMask() : pos.select_mask;
  const bool need_content = MaskNeedsContent(mask);

  // The page's messages first, then the link that follows from where they
  // end, then the body in one pass into a recycled buffer (body_buffer.hpp):
  // the link precedes "value" in the body.
  // The headers are generated in place: the thread's page keeps their buffers.
  thread_local std::vector<MessageHeader> page;
  int count = 0;
  ViewCursor cursor = pos.cursor;
  bool more = false;
  while (true) {
    ViewCursor before = cursor;
    if (page.size() <= static_cast<std::size_t>(count)) page.emplace_back();
    if (!corpus_.NextInView(tenant, user, folder, pos.to_epoch, epochs, cursor, page[static_cast<std::size_t>(count)])) {
      break;
    }
    if (count == page_size) {
      more = true;
      cursor = before;   // the next page starts with this message
      break;
    }
    ++count;
  }

  std::string link;
  DeltaPosition next = pos;
  if (more) {
    next.is_delta = false;
    next.cursor = cursor;
    link = fmt::format(R"("@odata.nextLink":"{}/v1.0/users/{}/mailFolders/{}/messages/delta?$skiptoken={}")",
                       JsonEscape(origin_), corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user)].graph_id,
                       FolderSegment(corpus_, tenant, user, folder), tokens_.Encode(next));
  } else {
    next.is_delta = true;
    next.from_epoch = pos.to_epoch;
    next.cursor = ViewCursor{pos.to_epoch, 0, 0};
    link = fmt::format(R"("@odata.deltaLink":"{}/v1.0/users/{}/mailFolders/{}/messages/delta?$deltatoken={}")",
                       JsonEscape(origin_), corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user)].graph_id,
                       FolderSegment(corpus_, tenant, user, folder), tokens_.Encode(next));
  }
  std::string body = TakeBodyBuffer();
  body.reserve(static_cast<std::size_t>(count) * 2048 + link.size() + origin_.size() + 128);
  body += R"({"@odata.context":")";
  AppendJsonEscaped(body, origin_);
  body += R"j(/v1.0/$metadata#Collection(message)",)j";
  body += link;
  body += R"(,"value":[)";
  const std::string folder_id = corpus_.FolderId(tenant, user, folder);   // the same for every message of the page
  MessageContent content;
  for (int i = 0; i < count; ++i) {
    const MessageHeader& header = page[static_cast<std::size_t>(i)];
    if (need_content) corpus_.Content(header, content);
    if (i > 0) body += ',';
    AppendMessageJson(body, corpus_,
                      MessageCopy{&header, need_content ? &content : nullptr, user, folder, folder_id}, mask,
                      prefs.text_body);
  }
  body += "]}";
  HttpResponse r = JsonResponse(200, std::move(body));
  if (count > 0) stats_.CountDetailRead();
  AddGraphIds(request, r, RandomUuid());
  std::string applied;
  if (prefs.max_page_size) applied = fmt::format("odata.maxpagesize={}", page_size);
  if (prefs.text_body) applied += std::string(applied.empty() ? "" : ", ") + "outlook.body-content-type=\"text\"";
  if (prefs.immutable_id) applied += std::string(applied.empty() ? "" : ", ") + "IdType=\"ImmutableId\"";
  if (!applied.empty()) r.headers.emplace("Preference-Applied", applied);
  return r;
}

}  // namespace crmsync::sim

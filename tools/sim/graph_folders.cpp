// GET /users/{id}/mailFolders: a mailbox's top-level folders, the well-known
// ones plus the user folder "CRM" of users that have it (corpus.hpp). Pages
// of $top (default 10, as Graph) follow with $skip in the nextLink.
#include <array>
#include <string>

#include <fmt/core.h>

#include "graph_service.hpp"
#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr int kDefaultFolderPage = 10;
constexpr int kMaxFolderPage = 999;

struct FolderEntry {
  std::string id;
  std::string_view name;
};

// Graph lists top-level folders in no documented order; "CRM" sits among them.
std::vector<FolderEntry> TopLevelFolders(const Corpus& corpus, int tenant, int user) {
  const std::string inbox = corpus.FolderId(tenant, user, Folder::kInbox);
  auto other = [&inbox](char tag) { return inbox + tag; };
  std::vector<FolderEntry> out{{other('a'), "Archive"},         {other('b'), "Conversation History"},
                               {other('c'), "Deleted Items"},   {other('d'), "Drafts"},
                               {inbox, "Inbox"},                {other('e'), "Junk Email"},
                               {other('f'), "Outbox"},          {corpus.FolderId(tenant, user, Folder::kSentItems), "Sent Items"},
                               {other('g'), "Sync Issues"}};
  if (Corpus::HasCrmFolder(user)) {
    out.insert(out.begin() + 2, FolderEntry{corpus.FolderId(tenant, user, Folder::kCrm), kCrmMarker});
  }
  return out;
}

}  // namespace

HttpResponse GraphService::MailFolders(const HttpRequest& request, int tenant, std::string_view user_key,
                                       int token_user) {
  int user = 0;
  if (auto refused = MailboxRefused(request, tenant, user_key, token_user, user)) return std::move(*refused);
  for (const auto& [name, value] : request.query) {
    if (name.empty() || name[0] != '$') continue;
    if (name == "$select" || name == "$top" || name == "$skip") continue;
    return GraphError(request, 400, "BadRequest", fmt::format("Query option '{}' is not allowed.", name));
  }
  int top = kDefaultFolderPage;
  if (auto text = QueryValue(request, "$top")) {
    auto n = ParseUint(*text);
    if (!n || *n < 1 || *n > static_cast<std::uint64_t>(kMaxFolderPage)) {
      return GraphError(request, 400, "BadRequest", fmt::format("Invalid page size specified: '{}'.", *text));
    }
    top = static_cast<int>(*n);
  }
  std::size_t skip = 0;
  if (auto text = QueryValue(request, "$skip")) {
    auto n = ParseUint(*text);
    if (!n || *n > 100000) return GraphError(request, 400, "BadRequest", fmt::format("Invalid $skip '{}'.", *text));
    skip = static_cast<std::size_t>(*n);
  }
  const std::vector<FolderEntry> folders = TopLevelFolders(corpus_, tenant, user);
  const std::string& graph_id =
      corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user)].graph_id;
  std::string body = fmt::format(R"({{"@odata.context":"{}/v1.0/$metadata#users('{}')/mailFolders")",
                                 JsonEscape(origin_), JsonEscape(graph_id));
  const std::size_t end = std::min(folders.size(), skip + static_cast<std::size_t>(top));
  if (end < folders.size()) {
    body += fmt::format(R"(,"@odata.nextLink":"{}/v1.0/users/{}/mailFolders?$select=id,displayName&$top={}&$skip={}")",
                        JsonEscape(origin_), JsonEscape(graph_id), top, end);
  }
  body += R"(,"value":[)";
  for (std::size_t i = skip; i < end; ++i) {
    if (i > skip) body += ',';
    body += fmt::format(R"({{"id":"{}","displayName":"{}","childFolderCount":0,"isHidden":false}})",
                        JsonEscape(folders[i].id), JsonEscape(std::string(folders[i].name)));
  }
  body += "]}";
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

}  // namespace crmsync::sim

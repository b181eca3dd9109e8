// GET /v1.0/users/{id}/mailFolders/{folder}/messages: the listing a backfill
// reads, with a receivedDateTime window in $filter (mail_window.hpp),
// $orderby=receivedDateTime, $select, $top and $skip. nextLink repeats the
// request's own query with the next $skip, like Graph's. A $filter or
// $orderby the simulator does not understand is refused with 400, never
// ignored: ignoring it would list mail outside the window.
#include <fmt/core.h>

#include "graph_json.hpp"
#include "graph_service.hpp"
#include "json_escape.hpp"
#include "mail_window.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

// raw_query without its $skip argument (the nextLink sets its own).
std::string QueryWithoutSkip(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view arg = raw.substr(0, amp);
    const bool skip = arg.substr(0, 6) == "$skip=" || arg.substr(0, 8) == "%24skip=";
    if (!skip && !arg.empty()) {
      if (!out.empty()) out += '&';
      out.append(arg);
    }
    if (amp == std::string_view::npos) break;
    raw.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

HttpResponse GraphService::Messages(const HttpRequest& request, int tenant, std::string_view user_key,
                                    std::string_view folder_key, int token_user) {
  int user = 0;
  Folder folder = Folder::kInbox;
  if (auto refused = FindMailbox(request, tenant, user_key, folder_key, token_user, user, folder)) {
    return std::move(*refused);
  }
  for (const auto& [name, value] : request.query) {
    if (name.empty() || name[0] != '$') continue;
    if (name == "$select" || name == "$top" || name == "$skip" || name == "$filter" || name == "$orderby") continue;
    return GraphError(request, 400, "BadRequest", fmt::format("Query option '{}' is not allowed.", name));
  }
  ReceivedWindow window;
  if (auto filter = QueryValue(request, "$filter")) {
    std::string error;
    auto parsed = ParseReceivedFilter(*filter, error);
    if (!parsed) {
      return GraphError(request, 400, "BadRequest",
                        fmt::format("Invalid filter clause: {} (the simulator supports receivedDateTime ge/lt only).",
                                    error));
    }
    window = *parsed;
  }
  if (auto orderby = QueryValue(request, "$orderby")) {
    if (*orderby != "receivedDateTime" && *orderby != "receivedDateTime asc") {
      return GraphError(request, 400, "BadRequest",
                        fmt::format("Invalid $orderby '{}' (the simulator supports receivedDateTime asc only).",
                                    *orderby));
    }
  }
  std::uint64_t mask = DefaultMessageMask();
  if (auto select = QueryValue(request, "$select")) {
    std::string unknown;
    auto parsed = MessageSelectMask(*select, unknown);
    if (!parsed) {
      return GraphError(request, 400, "RequestBroker--ParseUri",
                        fmt::format("Could not find a property named '{}' on type 'microsoft.graph.message'.", unknown));
    }
    mask = *parsed;
  }
  int page_size = kDefaultMessagePage;
  if (auto top = QueryValue(request, "$top")) {
    auto n = ParseUint(*top);
    if (!n || *n < 1 || *n > static_cast<std::uint64_t>(kMaxMessagePage)) {
      return GraphError(request, 400, "BadRequest", fmt::format("Invalid value '{}' for $top.", *top));
    }
    page_size = static_cast<int>(*n);
  }
  std::uint64_t skip = 0;
  if (auto text = QueryValue(request, "$skip")) {
    auto n = ParseUint(*text);
    if (!n) return GraphError(request, 400, "BadRequest", fmt::format("Invalid value '{}' for $skip.", *text));
    skip = *n;
  }
  const Preferences prefs = ParsePrefer(request.header("prefer"));
  const bool need_content = MaskNeedsContent(mask);

  const std::vector<MessageHeader> listed = MessagesReceivedIn(corpus_, tenant, user, folder, window);
  const std::size_t begin = std::min<std::size_t>(listed.size(), skip);
  const std::size_t end = std::min(listed.size(), begin + static_cast<std::size_t>(page_size));
  std::string values;
  for (std::size_t i = begin; i < end; ++i) {
    MessageContent content;
    if (need_content) content = corpus_.Content(listed[i]);
    if (i > begin) values += ',';
    AppendMessageJson(values, corpus_, MessageCopy{&listed[i], need_content ? &content : nullptr, user, folder}, mask,
                      prefs.text_body);
  }
  std::string link;
  if (end < listed.size()) {
    const std::string query = QueryWithoutSkip(request.raw_query);
    link = fmt::format(R"("@odata.nextLink":"{}/v1.0/users/{}/mailFolders/{}/messages?{}{}$skip={}",)",
                       JsonEscape(origin_),
                       corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user)].graph_id,
                       folder == Folder::kCrm      ? corpus_.FolderId(tenant, user, folder)
                       : folder == Folder::kInbox ? std::string("inbox")
                                                  : std::string("sentitems"),
                       JsonEscape(query), query.empty() ? "" : "&",
                       end);
  }
  std::string body = fmt::format(R"j({{"@odata.context":"{}/v1.0/$metadata#users('{}')/mailFolders('{}')/messages",{}"value":[{}]}})j",
                                 JsonEscape(origin_), JsonEscape(user_key), JsonEscape(folder_key), link, values);
  HttpResponse r = JsonResponse(200, std::move(body));
  if (end > begin) stats_.CountDetailRead();
  AddGraphIds(request, r, RandomUuid());
  if (prefs.text_body) r.headers.emplace("Preference-Applied", "outlook.body-content-type=\"text\"");
  return r;
}

}  // namespace crmsync::sim

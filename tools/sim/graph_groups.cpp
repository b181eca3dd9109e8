#include "graph_groups.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "graph_json.hpp"
#include "http_util.hpp"
#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr int kDefaultMembersPage = 100;
constexpr int kMaxMembersPage = 999;

// "mail eq 'x'" -> x (OData doubles quotes inside the literal); anything
// else is a filter the simulator does not answer.
std::optional<std::string> MailEqualsValue(std::string_view filter) {
  filter = Trim(filter);
  constexpr std::string_view kPrefix = "mail eq '";
  if (filter.size() < kPrefix.size() + 1 || !EqualsNoCase(filter.substr(0, kPrefix.size()), kPrefix) ||
      filter.back() != '\'') {
    return std::nullopt;
  }
  std::string_view literal = filter.substr(kPrefix.size(), filter.size() - kPrefix.size() - 1);
  std::string value;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    if (literal[i] == '\'') {
      if (i + 1 >= literal.size() || literal[i + 1] != '\'') return std::nullopt;
      ++i;
    }
    value.push_back(literal[i]);
  }
  return value;
}

}  // namespace

HttpResponse GraphGroupsByMail(const HttpRequest& request, const Tenant& tenant) {
  auto filter = QueryValue(request, "$filter");
  if (!filter) {
    return GraphError(request, 400, "Request_UnsupportedQuery",
                      "The simulated Graph lists groups only with $filter=mail eq '...'.");
  }
  auto mail = MailEqualsValue(*filter);
  if (!mail) {
    return GraphError(request, 400, "Request_UnsupportedQuery",
                      fmt::format("Unsupported or invalid query filter clause specified for property 'mail': {}", *filter));
  }
  std::string body = R"j({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups(id,mail)","value":[)j";
  if (EqualsNoCase(*mail, SalesGroupAddress(tenant))) {
    body += fmt::format(R"({{"id":"{}","mail":"{}","displayName":"Sales"}})", SalesGroupId(tenant),
                        JsonEscape(SalesGroupAddress(tenant)));
  }
  body += "]}";
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

HttpResponse GraphGroupMembers(const HttpRequest& request, const Tenant& tenant, std::string_view group_id,
                               std::string_view origin) {
  if (group_id != SalesGroupId(tenant)) {
    return GraphError(request, 404, "Request_ResourceNotFound",
                      fmt::format("Resource '{}' does not exist or one of its queried reference-property objects "
                                  "are not present.", group_id));
  }
  std::uint64_t mask = DefaultUserMask();
  auto select = QueryValue(request, "$select");
  if (select) {
    std::string unknown;
    auto parsed = UserSelectMask(*select, unknown);
    if (!parsed) {
      return GraphError(request, 400, "Request_BadRequest",
                        fmt::format("Could not find a property named '{}' on type 'microsoft.graph.user'.", unknown));
    }
    mask = *parsed;
  }
  int page_size = kDefaultMembersPage;
  if (auto top = QueryValue(request, "$top")) {
    auto n = ParseUint(*top);
    if (!n || *n < 1 || *n > static_cast<std::uint64_t>(kMaxMembersPage)) {
      return GraphError(request, 400, "Request_BadRequest",
                        fmt::format("Invalid page size specified: '{}'. Must be between 1 and 999 inclusive.", *top));
    }
    page_size = static_cast<int>(*n);
  }
  std::vector<const MailUser*> members;
  for (const MailUser& user : tenant.users) {
    if (InSalesGroup(user)) members.push_back(&user);
  }
  std::size_t start = 0;
  if (auto skip = QueryValue(request, "$skiptoken")) {
    auto n = ParseUint(*skip);
    if (!n || *n > members.size()) {
      return GraphError(request, 400, "Request_BadRequest",
                        "The specified page token value has expired and can no longer be included in your request.");
    }
    start = static_cast<std::size_t>(*n);
  }
  const std::size_t end = std::min(members.size(), start + static_cast<std::size_t>(page_size));
  std::string body = R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users")";
  if (end < members.size()) {
    body += fmt::format(R"(,"@odata.nextLink":"{}/v1.0/groups/{}/transitiveMembers/microsoft.graph.user?$top={}&$skiptoken={}{}")",
                        JsonEscape(origin), JsonEscape(group_id), page_size, end,
                        select ? "&$select=" + JsonEscape(*select) : std::string());
  }
  body += R"(,"value":[)";
  for (std::size_t i = start; i < end; ++i) {
    if (i > start) body += ',';
    body += UserJson(tenant, *members[i], mask);
  }
  body += "]}";
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

}  // namespace crmsync::sim

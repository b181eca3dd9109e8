#include "delegated_admin.hpp"

#include <fmt/format.h>

#include "http_util.hpp"
#include "json_escape.hpp"

namespace crmsync::sim {
namespace {

HttpResponse Error(int status, const std::string& message) {
  return JsonResponse(status, fmt::format(R"({{"error":"{}"}})", JsonEscape(message)));
}

}  // namespace

HttpResponse DelegatedAdmin::Handle(const HttpRequest& request) {
  if (request.method != "POST") return Error(405, fmt::format("method not allowed: {} {}", request.method, request.path));
  const std::string tenant_id = QueryValue(request, "tenant").value_or("");
  auto tenant = corpus_.FindTenantById(tenant_id);
  if (tenant_id.empty() || !tenant) return Error(404, fmt::format("no tenant '{}' (query parameter tenant)", tenant_id));
  const std::string address = QueryValue(request, "user").value_or("");
  auto user = corpus_.FindUser(address);
  if (address.empty() || !user || user->first != *tenant) {
    return Error(404, fmt::format("tenant '{}' has no user '{}' (query parameter user)", tenant_id, address));
  }
  const Provider provider = corpus_.tenants()[static_cast<std::size_t>(*tenant)].provider;
  if (provider != Provider::kGraph && provider != Provider::kGmail) {
    return Error(400, fmt::format("tenant '{}' is neither a Microsoft Graph nor a Gmail tenant", tenant_id));
  }
  access_.RestoreUser(*tenant, user->second);
  const std::string token = tokens_.Issue(*tenant, user->second);
  return JsonResponse(200, fmt::format(R"({{"tenant":"{}","user":"{}","refresh_token":"{}"}})", JsonEscape(tenant_id),
                                       JsonEscape(address), JsonEscape(token)));
}

}  // namespace crmsync::sim

#include "lifecycle_admin.hpp"

#include <charconv>

#include <fmt/format.h>

#include "http_util.hpp"
#include "json_escape.hpp"

namespace crmsync::sim {
namespace {

HttpResponse Error(int status, const std::string& message) {
  return JsonResponse(status, fmt::format(R"({{"error":"{}"}})", JsonEscape(message)));
}

std::optional<std::uint64_t> Count(const HttpRequest& request, const char* name) {
  auto text = QueryValue(request, name);
  if (!text) return std::uint64_t{0};
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

}  // namespace

bool LifecycleAdmin::Owns(const HttpRequest& request) {
  const std::string& p = request.path;
  return p == "/_sim/revoke" || p == "/_sim/reissue" || p == "/_sim/expire-sessions" ||
         p == "/_sim/revoke-mailbox" || p == "/_sim/restore-mailbox" || p == "/_sim/token-grants";
}

HttpResponse LifecycleAdmin::Handle(const HttpRequest& request) {
  const std::string& p = request.path;
  const bool read_only = p == "/_sim/token-grants";
  if (request.method != (read_only ? "GET" : "POST")) {
    return Error(405, fmt::format("method not allowed: {} {}", request.method, p));
  }
  const std::string tenant_id = QueryValue(request, "tenant").value_or("");
  auto tenant = corpus_.FindTenantById(tenant_id);
  if (tenant_id.empty() || !tenant) return Error(404, fmt::format("no tenant '{}' (query parameter tenant)", tenant_id));
  auto after = Count(request, "after_upserts");
  if (!after) return Error(400, "after_upserts must be a non-negative integer");

  const auto sf_user = QueryValue(request, "user");
  if (sf_user && (p == "/_sim/revoke" || p == "/_sim/reissue")) return HandleUserGrant(request, tenant_id, *sf_user, *after);
  if (p == "/_sim/revoke") {
    salesforce_.RevokeRefreshToken(tenant_id, *after);
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","revoked":true,"after_upserts":{}}})",
                                         JsonEscape(tenant_id), *after));
  }
  if (p == "/_sim/reissue") {
    const std::string token = salesforce_.ReissueRefreshToken(tenant_id);
    if (token.empty()) return Error(404, fmt::format("tenant '{}' has no Salesforce org", tenant_id));
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","refresh_token":"{}"}})", JsonEscape(tenant_id),
                                         JsonEscape(token)));
  }
  if (p == "/_sim/expire-sessions") {
    salesforce_.ExpireSessions(tenant_id, *after);
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","expired":true,"after_upserts":{}}})",
                                         JsonEscape(tenant_id), *after));
  }
  if (p == "/_sim/token-grants") {
    std::string users;
    for (const auto& [address, grants] : salesforce_.UserTokenGrants(tenant_id)) {
      users += fmt::format(R"({}"{}":{})", users.empty() ? "" : ",", JsonEscape(address), grants);
    }
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","salesforce":{},"salesforce_users":{{{}}}}})",
                                         JsonEscape(tenant_id), salesforce_.TokenGrants(tenant_id), users));
  }
  if (p == "/_sim/restore-mailbox") {
    access_.Restore(*tenant);
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","restored":true}})", JsonEscape(tenant_id)));
  }
  // revoke-mailbox
  auto address = QueryValue(request, "user");
  if (!address) {
    access_.RevokeTenant(*tenant);
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","mailbox_revoked":"all"}})", JsonEscape(tenant_id)));
  }
  auto user = corpus_.FindUser(*address);
  if (!user || user->first != *tenant) {
    return Error(404, fmt::format("tenant '{}' has no user '{}'", tenant_id, *address));
  }
  access_.RevokeUser(*tenant, user->second);
  return JsonResponse(200, fmt::format(R"({{"tenant":"{}","mailbox_revoked":"{}"}})", JsonEscape(tenant_id),
                                       JsonEscape(*address)));
}

// Per-user authorization: one user's own Salesforce refresh token.
HttpResponse LifecycleAdmin::HandleUserGrant(const HttpRequest& request, const std::string& tenant_id,
                                             const std::string& address, std::uint64_t after_upserts) {
  if (request.path == "/_sim/reissue") {
    const std::string token = salesforce_.ReissueUserRefreshToken(tenant_id, address);
    if (token.empty()) {
      return Error(404, fmt::format("tenant '{}' has no Salesforce user with Email '{}'", tenant_id, address));
    }
    return JsonResponse(200, fmt::format(R"({{"tenant":"{}","user":"{}","refresh_token":"{}"}})", JsonEscape(tenant_id),
                                         JsonEscape(address), JsonEscape(token)));
  }
  if (!salesforce_.RevokeUserRefreshToken(tenant_id, address, after_upserts)) {
    return Error(404, fmt::format("user '{}' of tenant '{}' has no Salesforce authorization", address, tenant_id));
  }
  return JsonResponse(200, fmt::format(R"({{"tenant":"{}","user":"{}","revoked":true,"after_upserts":{}}})",
                                       JsonEscape(tenant_id), JsonEscape(address), after_upserts));
}

}  // namespace crmsync::sim

// The Microsoft identity platform's refresh_token grant for delegated
// (per-user) mailbox access: the user's own consent, rotated on every use.
#include <fmt/core.h>

#include "http_util.hpp"
#include "identity_service.hpp"
#include "json_escape.hpp"

namespace crmsync::sim {

HttpResponse IdentityService::HandleRefresh(int tenant, const std::string& refresh_token, const std::string& scope) {
  if (refresh_token.empty()) {
    return Error(400, "invalid_request", 900144,
                 "The request body must contain the following parameter: 'refresh_token'.");
  }
  // Delegated scopes name permissions; the application's ".default" belongs
  // to client credentials.
  if (!scope.empty() && scope.find("/.default") != std::string::npos) {
    return Error(400, "invalid_scope", 70011,
                 fmt::format("The provided value for the input parameter 'scope' is not valid. The scope {} is not "
                             "valid for a delegated grant.", scope));
  }
  std::optional<DelegatedTokens::Redeemed> redeemed;
  if (delegated_ != nullptr) redeemed = delegated_->Redeem(refresh_token);
  if (!redeemed || redeemed->tenant != tenant) {
    return Error(400, "invalid_grant", 70000,
                 "The provided value for the 'refresh_token' is not valid or was revoked.");
  }
  if (access_ != nullptr && access_->UserRevoked(tenant, redeemed->user)) {
    return Error(400, "invalid_grant", 50173,
                 "The provided grant has expired due to it being revoked, a fresh auth token is needed.");
  }
  const std::string token = NewAccessToken(tenant, Audience::kGraph, redeemed->user);
  if (issued_ != nullptr) issued_->Add(redeemed->successor);
  HttpResponse r = JsonResponse(
      200, fmt::format(R"({{"token_type":"Bearer","scope":"{}","expires_in":{},"ext_expires_in":{},"access_token":"{}","refresh_token":"{}"}})",
                       JsonEscape(scope.empty() ? "Mail.Read Calendars.Read User.Read" : scope), ttl_.count(),
                       ttl_.count(), token, redeemed->successor));
  r.headers.emplace("Cache-Control", "no-store, no-cache");
  r.headers.emplace("Pragma", "no-cache");
  return r;
}

}  // namespace crmsync::sim

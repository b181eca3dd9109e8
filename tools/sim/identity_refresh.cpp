// The Microsoft identity platform's delegated (per-user) flows: the
// authorization-code flow with PKCE that records a user's own consent, and
// the refresh_token grant that rotates the refresh token on every use.
#include <fmt/core.h>

#include "http_util.hpp"
#include "identity_service.hpp"
#include "json_escape.hpp"
#include "oauth_params.hpp"

namespace crmsync::sim {
namespace {

bool HasScope(const std::string& scopes, std::string_view wanted) {
  std::size_t start = 0;
  while (start < scopes.size()) {
    std::size_t end = scopes.find(' ', start);
    if (end == std::string::npos) end = scopes.size();
    if (std::string_view(scopes).substr(start, end - start) == wanted) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

HttpResponse IdentityService::HandleAuthorize(const HttpRequest& request, int tenant) {
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  if (request.method != "GET") return Error(400, "invalid_request", 900561, "The authorize endpoint only accepts GET.");
  if (QueryArg(request, "client_id") != t.ms_client_id) {
    return Error(400, "unauthorized_client", 700016,
                 fmt::format("Application with identifier '{}' was not found in the directory '{}'.",
                             QueryArg(request, "client_id"), t.ms_tenant_id));
  }
  if (QueryArg(request, "response_type") != "code") {
    return Error(400, "unsupported_response_type", 700054, "response_type 'code' is required.");
  }
  const std::string redirect_uri = QueryArg(request, "redirect_uri");
  if (!LoopbackRedirect(redirect_uri)) {
    return Error(400, "invalid_request", 50011,
                 fmt::format("The redirect URI '{}' specified in the request does not match the redirect URIs "
                             "configured for the application.", redirect_uri));
  }
  const std::string scope = QueryArg(request, "scope");
  if (!HasScope(scope, "offline_access") || !HasScope(scope, "Mail.Read")) {
    return Error(400, "invalid_scope", 70011, fmt::format("The scope '{}' must include offline_access and Mail.Read.", scope));
  }
  const std::string challenge = QueryArg(request, "code_challenge");
  if (challenge.empty() || QueryArg(request, "code_challenge_method") != "S256") {
    return Error(400, "invalid_request", 50148, "The code_challenge (S256) is required.");
  }
  // The signed-in user: the simulator has no sign-in page, login_hint names them.
  auto user = corpus_.FindUser(QueryArg(request, "login_hint"));
  if (!user || user->first != tenant) {
    return Error(400, "invalid_request", 50034,
                 fmt::format("The user account {} does not exist in the {} directory.", QueryArg(request, "login_hint"),
                             t.ms_tenant_id));
  }
  if (delegated_ == nullptr) return Error(400, "invalid_request", 900144, "Delegated consent is not available.");
  const std::string code = delegated_->NewCode({tenant, user->second, redirect_uri, challenge});
  HttpResponse response;
  response.status = 302;
  response.headers.emplace("Location", fmt::format("{}{}code={}&state={}", redirect_uri,
                                                   redirect_uri.find('?') == std::string::npos ? "?" : "&",
                                                   PercentEncode(code), PercentEncode(QueryArg(request, "state"))));
  return response;
}

HttpResponse IdentityService::HandleAuthorizationCode(int tenant, const std::string& code,
                                                      const std::string& redirect_uri, const std::string& verifier) {
  auto pending = delegated_ == nullptr ? std::nullopt : delegated_->TakeCode(code);
  if (!pending || pending->tenant != tenant) {
    return Error(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired or is invalid.");
  }
  if (pending->redirect_uri != redirect_uri) {
    return Error(400, "invalid_grant", 50011, "The reply URL does not match the one the code was issued for.");
  }
  if (Base64UrlSha256(verifier) != pending->code_challenge) {
    return Error(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
  }
  return DelegatedGrant(tenant, pending->user, delegated_->Issue(tenant, pending->user), "");
}

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
  return DelegatedGrant(tenant, redeemed->user, redeemed->successor, scope);
}

HttpResponse IdentityService::DelegatedGrant(int tenant, int user, const std::string& refresh_token,
                                             const std::string& scope) {
  const std::string token = NewAccessToken(tenant, Audience::kGraph, user);
  if (issued_ != nullptr) issued_->Add(refresh_token);
  HttpResponse r = JsonResponse(
      200, fmt::format(R"({{"token_type":"Bearer","scope":"{}","expires_in":{},"ext_expires_in":{},"access_token":"{}","refresh_token":"{}"}})",
                       JsonEscape(scope.empty() ? "Mail.Read Calendars.Read User.Read" : scope), ttl_.count(),
                       ttl_.count(), token, refresh_token));
  r.headers.emplace("Cache-Control", "no-store, no-cache");
  r.headers.emplace("Pragma", "no-cache");
  return r;
}

}  // namespace crmsync::sim

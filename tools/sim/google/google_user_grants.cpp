// Google's OAuth for a user's own consent (google.access = "oauth_user"):
// the consent screen GET /o/oauth2/v2/auth (approved at once for the
// login_hint user: the simulator has no sign-in page; access_type=offline,
// PKCE S256 and a loopback redirect required), and at POST /token the
// authorization_code and refresh_token grants. Refresh tokens come from the
// shared DelegatedTokens chain (also /_sim/reissue-mailbox); every refresh
// answers a successor, which the client must store before use. The access
// tokens are bound to (tenant, user) and marked as a user's own, so that
// Gmail can tell a delegation violation from a service account's mistake.
#include <fmt/core.h>

#include "google_auth.hpp"
#include "google_oauth_client.hpp"
#include "http_util.hpp"
#include "json_escape.hpp"
#include "oauth_params.hpp"
#include "text_util.hpp"

namespace crmsync::sim::google {
namespace {

HttpResponse OAuthError(int status, std::string_view error, std::string_view description) {
  return JsonResponse(status, fmt::format(R"({{"error":"{}","error_description":"{}"}})", JsonEscape(error),
                                          JsonEscape(description)));
}

// The Gmail tenant whose OAuth client `client_id` is; -1 when none.
int TenantOfClient(const Corpus& corpus, const std::string& client_id) {
  for (const Tenant& t : corpus.tenants()) {
    if (t.provider == Provider::kGmail && GoogleOAuthClientId(t) == client_id) return t.index;
  }
  return -1;
}

}  // namespace

HttpResponse GoogleAuth::Authorize(const HttpRequest& request) {
  if (request.method != "GET") return OAuthError(400, "invalid_request", "The consent screen only accepts GET.");
  const std::map<std::string, std::string> query(request.query.begin(), request.query.end());
  const int tenant = TenantOfClient(corpus_, ArgOf(query, "client_id"));
  if (tenant < 0) return OAuthError(401, "invalid_client", "The OAuth client was not found.");
  if (ArgOf(query, "response_type") != "code") return OAuthError(400, "unsupported_response_type", "response_type=code is required.");
  const std::string redirect_uri = ArgOf(query, "redirect_uri");
  if (!LoopbackRedirect(redirect_uri)) {
    return OAuthError(400, "redirect_uri_mismatch", "The redirect URI is not a loopback address.");
  }
  if (ArgOf(query, "access_type") != "offline") {
    return OAuthError(400, "invalid_request", "access_type=offline is required for a refresh token.");
  }
  if (ArgOf(query, "scope").find(kGmailReadonlyScope) == std::string::npos) {
    return OAuthError(400, "invalid_scope", "The scope must include gmail.readonly.");
  }
  const std::string challenge = ArgOf(query, "code_challenge");
  if (challenge.empty() || ArgOf(query, "code_challenge_method") != "S256") {
    return OAuthError(400, "invalid_request", "code_challenge with code_challenge_method=S256 is required.");
  }
  auto user = corpus_.FindUser(ArgOf(query, "login_hint"));
  if (!user || user->first != tenant) return OAuthError(400, "invalid_request", "The login_hint user does not exist.");
  if (delegated_ == nullptr) return OAuthError(400, "invalid_request", "Per-user consent is not available.");
  const std::string code = delegated_->NewCode({tenant, user->second, redirect_uri, challenge});
  HttpResponse response;
  response.status = 302;
  response.headers.emplace("Location", fmt::format("{}{}code={}&state={}", redirect_uri,
                                                   redirect_uri.find('?') == std::string::npos ? "?" : "&",
                                                   PercentEncode(code), PercentEncode(ArgOf(query, "state"))));
  return response;
}

HttpResponse GoogleAuth::UserGrant(const std::map<std::string, std::string>& form) {
  const int tenant = TenantOfClient(corpus_, ArgOf(form, "client_id"));
  if (tenant < 0 || ArgOf(form, "client_secret") != GoogleOAuthClientSecret(corpus_.tenants()[static_cast<std::size_t>(tenant)])) {
    return OAuthError(401, "invalid_client", "Unauthorized");
  }
  if (delegated_ == nullptr) return OAuthError(400, "invalid_grant", "Bad Request");
  if (ArgOf(form, "grant_type") == "authorization_code") {
    auto pending = delegated_->TakeCode(ArgOf(form, "code"));
    if (!pending || pending->tenant != tenant) return OAuthError(400, "invalid_grant", "Malformed auth code.");
    if (pending->redirect_uri != ArgOf(form, "redirect_uri")) return OAuthError(400, "redirect_uri_mismatch", "Bad Request");
    if (Base64UrlSha256(ArgOf(form, "code_verifier")) != pending->code_challenge) {
      return OAuthError(400, "invalid_grant", "Invalid code verifier.");
    }
    return IssueUserToken(tenant, pending->user, delegated_->Issue(tenant, pending->user));
  }
  const std::string refresh_token = ArgOf(form, "refresh_token");
  if (refresh_token.empty()) return OAuthError(400, "invalid_request", "Missing required parameter: refresh_token");
  auto redeemed = delegated_->Redeem(refresh_token);
  if (!redeemed || redeemed->tenant != tenant) return OAuthError(400, "invalid_grant", "Bad Request");
  if (access_ != nullptr && access_->UserRevoked(tenant, redeemed->user)) {
    return OAuthError(400, "invalid_grant", "Token has been expired or revoked.");
  }
  return IssueUserToken(tenant, redeemed->user, redeemed->successor);
}

HttpResponse GoogleAuth::IssueUserToken(int tenant, int user, const std::string& refresh_token) {
  std::set<std::string> scopes = {std::string(kGmailReadonlyScope), std::string(kCalendarReadonlyScope)};
  const std::string token = "ya29.a0sim" + RandomToken(32);
  {
    std::lock_guard lock(mutex_);
    tokens_[token] = Grant{tenant, user, scopes, clock_() + ttl_, true};
  }
  if (issued_ != nullptr) {
    issued_->Add(token);
    issued_->Add(refresh_token);
  }
  HttpResponse r = JsonResponse(
      200, fmt::format(R"({{"access_token":"{}","expires_in":{},"refresh_token":"{}","scope":"{} {}","token_type":"Bearer"}})",
                       token, ttl_.count(), refresh_token, kGmailReadonlyScope, kCalendarReadonlyScope));
  r.headers.emplace("Cache-Control", "no-store");
  return r;
}

}  // namespace crmsync::sim::google

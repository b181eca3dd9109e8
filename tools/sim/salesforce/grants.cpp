// Connection lifecycle controls of the simulated Salesforce: revoking and
// reissuing a tenant's refresh token, expiring its sessions, rotating refresh
// tokens on every grant. Tests and scripts drive them through /_sim/.
#include <openssl/rand.h>

#include <stdexcept>

#include <fmt/format.h>

#include "oauth_params.hpp"
#include "sim_state.hpp"

namespace crmsync::sim {

std::string NewRefreshToken() {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string token = "5Aep861";
  for (unsigned char byte : random) token += fmt::format("{:02x}", byte);
  return token;
}

std::shared_ptr<sf::Org> SalesforceSim::Impl::OrgOfTenant(const std::string& tenant) const {
  std::shared_lock lock(orgs_mu);
  for (const auto& [id, org] : orgs_by_id) {
    std::lock_guard org_lock(org->mu);
    if (org->credentials.tenant == tenant) return org;
  }
  return nullptr;
}

void SalesforceSim::Impl::DropSessions(const sf::Org& org) {
  std::unique_lock lock(sessions_mu);
  std::erase_if(sessions, [&](const auto& entry) { return entry.second.org.get() == &org; });
}

void SalesforceSim::Impl::AfterUpsert(sf::Org& org) {
  bool revoke = false, expire = false;
  {
    std::lock_guard lock(org.mu);
    ++org.upserts_served;
    if (org.revoke_at_upsert != 0 && org.upserts_served >= org.revoke_at_upsert) {
      org.revoke_at_upsert = 0;
      org.credentials.refresh_token.clear();
      revoke = true;
    }
    if (org.expire_at_upsert != 0 && org.upserts_served >= org.expire_at_upsert) {
      org.expire_at_upsert = 0;
      expire = true;
    }
  }
  if (revoke || expire) DropSessions(org);
  RevokeDueUserGrants(org);
}

bool SalesforceSim::RevokeRefreshToken(const std::string& tenant, std::uint64_t after_upserts) {
  auto org = impl_->OrgOfTenant(tenant);
  if (org == nullptr) return false;
  {
    std::lock_guard lock(org->mu);
    if (after_upserts > 0) {
      org->revoke_at_upsert = org->upserts_served + after_upserts;
      return true;
    }
    org->credentials.refresh_token.clear();
  }
  impl_->DropSessions(*org);
  return true;
}

bool SalesforceSim::ExpireSessions(const std::string& tenant, std::uint64_t after_upserts) {
  auto org = impl_->OrgOfTenant(tenant);
  if (org == nullptr) return false;
  if (after_upserts > 0) {
    std::lock_guard lock(org->mu);
    org->expire_at_upsert = org->upserts_served + after_upserts;
    return true;
  }
  impl_->DropSessions(*org);
  return true;
}

std::string SalesforceSim::ReissueRefreshToken(const std::string& tenant) {
  auto org = impl_->OrgOfTenant(tenant);
  if (org == nullptr) return {};
  std::string token = NewRefreshToken();
  std::lock_guard lock(org->mu);
  org->credentials.refresh_token = token;
  org->revoke_at_upsert = 0;
  return token;
}

void SalesforceSim::SetRotateRefreshTokens(bool rotate) { impl_->rotate_refresh_tokens = rotate; }

std::uint64_t SalesforceSim::TokenGrants(const std::string& tenant) const {
  auto org = impl_->OrgOfTenant(tenant);
  return org == nullptr ? 0 : org->token_grants.load();
}

HttpResponse SalesforceSim::Impl::HandleAuthorize(const HttpRequest& request) {
  if (request.method != "GET") return sf::OAuthError("invalid_request", "must use HTTP GET");
  if (QueryArg(request, "response_type") != "code") {
    return sf::OAuthError("unsupported_response_type", "response type not supported");
  }
  std::shared_ptr<sf::Org> org;
  {
    std::shared_lock lock(orgs_mu);
    auto it = orgs_by_client_id.find(QueryArg(request, "client_id"));
    if (it != orgs_by_client_id.end()) org = it->second;
  }
  if (org == nullptr) return sf::OAuthError("invalid_client_id", "client identifier invalid");
  const std::string redirect_uri = QueryArg(request, "redirect_uri");
  if (!LoopbackRedirect(redirect_uri)) return sf::OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration");
  const std::string challenge = QueryArg(request, "code_challenge");
  if (challenge.empty() || QueryArg(request, "code_challenge_method") != "S256") {
    return sf::OAuthError("invalid_request", "missing required code challenge");
  }
  const std::string code = "aPrx" + NewRefreshToken().substr(7);
  {
    std::lock_guard lock(codes_mu);
    codes[code] = PendingCode{org, redirect_uri, challenge};
  }
  HttpResponse response;
  response.status = 302;
  response.headers.emplace("Location", fmt::format("{}{}code={}&state={}", redirect_uri,
                                                   redirect_uri.find('?') == std::string::npos ? "?" : "&",
                                                   PercentEncode(code), PercentEncode(QueryArg(request, "state"))));
  return response;
}

HttpResponse SalesforceSim::Impl::HandleAuthorizationCode(const std::map<std::string, std::string>& form) {
  PendingCode pending;
  {
    std::lock_guard lock(codes_mu);
    auto it = codes.find(ArgOf(form, "code"));
    if (it == codes.end()) return sf::OAuthError("invalid_grant", "invalid authorization code");
    pending = std::move(it->second);
    codes.erase(it);   // a code is good for one exchange
  }
  std::string refresh_token;
  {
    std::lock_guard lock(pending.org->mu);
    if (pending.org->credentials.client_id != ArgOf(form, "client_id") ||
        pending.org->credentials.client_secret != ArgOf(form, "client_secret")) {
      return sf::OAuthError("invalid_client", "invalid client credentials");
    }
    if (pending.redirect_uri != ArgOf(form, "redirect_uri")) {
      return sf::OAuthError("invalid_grant", "redirect_uri mismatch");
    }
    if (Base64UrlSha256(ArgOf(form, "code_verifier")) != pending.code_challenge) {
      return sf::OAuthError("invalid_grant", "invalid code verifier");
    }
    // The simulator keeps one refresh token per org: a new authorization replaces it.
    refresh_token = NewRefreshToken();
    pending.org->credentials.refresh_token = refresh_token;
    pending.org->revoke_at_upsert = 0;
  }
  ++pending.org->token_grants;
  return IssueTokens(pending.org, refresh_token);
}

}  // namespace crmsync::sim

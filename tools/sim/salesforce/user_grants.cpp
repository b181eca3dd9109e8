// Per-user authorization in the simulated Salesforce: each mailbox user's
// own refresh token, bound to their Salesforce User. Access tokens granted
// from it act as that user (Session::user_id), so a write of a Task owned by
// someone else is refused (upsert.cpp) and counted as an owner violation. A
// user token presented to another tenant's org is an isolation violation.
#include <fmt/format.h>

#include <openssl/crypto.h>

#include "sf_text.hpp"
#include "sim_state.hpp"

namespace crmsync::sim {

std::string NewRefreshToken();   // grants.cpp

namespace {

bool SameToken(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The Salesforce User whose Email is `address`; "" when the org has none.
std::string UserIdByEmail(const sf::Directory& directory, const std::string& address) {
  const int slot = sf::SobjectSlot("User");
  if (slot < 0) return {};
  const auto& by_email = directory.by_email[static_cast<std::size_t>(slot)];
  auto it = by_email.find(sf::AsciiLower(address));
  if (it == by_email.end() || it->second.empty()) return {};
  return directory.records[it->second.front()].id;
}

void DropUserSessions(std::shared_mutex& mu, std::unordered_map<std::string, sf::Session>& sessions,
                      const sf::Org& org, const std::string& user_id) {
  std::unique_lock lock(mu);
  std::erase_if(sessions, [&](const auto& entry) {
    return entry.second.org.get() == &org && entry.second.user_id == user_id;
  });
}

}  // namespace

std::optional<HttpResponse> SalesforceSim::Impl::HandleUserRefresh(const std::shared_ptr<sf::Org>& org,
                                                                    const std::string& token) {
  std::string user_id, rotated;
  {
    std::lock_guard lock(org->mu);
    sf::UserGrant* grant = nullptr;
    for (auto& [address, candidate] : org->user_grants) {
      if (SameToken(candidate.refresh_token, token)) grant = &candidate;
    }
    if (grant == nullptr) return std::nullopt;
    ++grant->grants;
    user_id = grant->user_id;
    if (rotate_refresh_tokens) {
      rotated = NewRefreshToken();
      if (token_issued_hook) token_issued_hook(rotated);
      grant->refresh_token = rotated;
    }
  }
  return IssueTokens(org, rotated, user_id);
}

bool SalesforceSim::Impl::OtherOrgHoldsUserToken(const sf::Org& org, const std::string& token) const {
  std::shared_lock lock(orgs_mu);
  for (const auto& [id, other] : orgs_by_id) {
    if (other.get() == &org) continue;
    std::lock_guard org_lock(other->mu);
    for (const auto& [address, grant] : other->user_grants) {
      if (SameToken(grant.refresh_token, token)) return true;
    }
  }
  return false;
}

void SalesforceSim::Impl::RevokeDueUserGrants(sf::Org& org) {
  std::vector<std::string> revoked;
  {
    std::lock_guard lock(org.mu);
    for (auto& [address, grant] : org.user_grants) {
      if (grant.revoke_at_upsert == 0 || org.upserts_served < grant.revoke_at_upsert) continue;
      grant.revoke_at_upsert = 0;
      grant.refresh_token.clear();
      revoked.push_back(grant.user_id);
    }
  }
  for (const auto& user_id : revoked) DropUserSessions(sessions_mu, sessions, org, user_id);
}

std::string SalesforceSim::ReissueUserRefreshToken(const std::string& tenant, const std::string& address) {
  auto org = impl_->OrgOfTenant(tenant);
  if (org == nullptr) return {};
  std::lock_guard lock(org->mu);
  const std::string user_id = UserIdByEmail(*org->directory, address);
  if (user_id.empty()) return {};
  sf::UserGrant& grant = org->user_grants[sf::AsciiLower(address)];
  grant.refresh_token = NewRefreshToken();
  grant.user_id = user_id;
  grant.revoke_at_upsert = 0;
  return grant.refresh_token;
}

bool SalesforceSim::RevokeUserRefreshToken(const std::string& tenant, const std::string& address,
                                           std::uint64_t after_upserts) {
  auto org = impl_->OrgOfTenant(tenant);
  if (org == nullptr) return false;
  std::string user_id;
  {
    std::lock_guard lock(org->mu);
    auto it = org->user_grants.find(sf::AsciiLower(address));
    if (it == org->user_grants.end()) return false;
    if (after_upserts > 0) {
      it->second.revoke_at_upsert = org->upserts_served + after_upserts;
      return true;
    }
    it->second.refresh_token.clear();
    user_id = it->second.user_id;
  }
  DropUserSessions(impl_->sessions_mu, impl_->sessions, *org, user_id);
  return true;
}

std::map<std::string, std::uint64_t> SalesforceSim::UserTokenGrants(const std::string& tenant) const {
  std::map<std::string, std::uint64_t> out;
  auto org = impl_->OrgOfTenant(tenant);
  if (org == nullptr) return out;
  std::lock_guard lock(org->mu);
  for (const auto& [address, grant] : org->user_grants) out[address] = grant.grants;
  return out;
}

std::uint64_t SalesforceSim::OwnerViolations() const { return impl_->owner_violations.load(); }

}  // namespace crmsync::sim

// POST /services/oauth2/token, refresh-token grant (API-FACTS.md §4.1).
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "sf_text.hpp"
#include "sim_state.hpp"

namespace crmsync::sim {

std::string NewRefreshToken();   // grants.cpp

namespace {

constexpr std::size_t kTokenRandomChars = 96;
constexpr std::size_t kMinSessionsBeforePrune = 1024;
constexpr std::string_view kTokenAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

// Salesforce session ids look like "00D...!AQ4AQ...": org id, '!', opaque.
std::string NewAccessToken(const std::string& org_id) {
  unsigned char random[kTokenRandomChars];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string token = org_id + "!";
  for (unsigned char byte : random) token.push_back(kTokenAlphabet[byte % kTokenAlphabet.size()]);
  return token;
}

std::string HmacSha256Base64(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  std::string encoded(4 * ((mac_length + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac, static_cast<int>(mac_length));
  encoded.resize(static_cast<std::size_t>(n));
  return encoded;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Param(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

}  // namespace

HttpResponse SalesforceSim::Impl::HandleToken(const HttpRequest& request) {
  if (request.method != "POST") return sf::OAuthError("invalid_request", "must use HTTP POST");
  auto form = sf::ParseForm(request.body);
  if (Param(form, "grant_type") == "authorization_code") return HandleAuthorizationCode(form);
  if (Param(form, "grant_type") != "refresh_token") {
    return sf::OAuthError("unsupported_grant_type", "grant type not supported");
  }
  std::shared_ptr<sf::Org> org;
  {
    std::shared_lock lock(orgs_mu);
    auto it = orgs_by_client_id.find(Param(form, "client_id"));
    if (it != orgs_by_client_id.end()) org = it->second;
  }
  if (org == nullptr) return sf::OAuthError("invalid_client_id", "client identifier invalid");

  std::string rotated_refresh_token;
  ++org->token_grants;
  bool service_account = true;
  {
    std::lock_guard lock(org->mu);
    // The client_id may have been re-assigned by AddOrg since the lookup.
    if (org->credentials.client_id != Param(form, "client_id")) {
      return sf::OAuthError("invalid_client_id", "client identifier invalid");
    }
    if (!ConstantTimeEquals(org->credentials.client_secret, Param(form, "client_secret"))) {
      return sf::OAuthError("invalid_client", "invalid client credentials");
    }
    if (org->credentials.refresh_token.empty() ||
        !ConstantTimeEquals(org->credentials.refresh_token, Param(form, "refresh_token"))) {
      service_account = false;
    }
    if (service_account && rotate_refresh_tokens) {
      // Rotation: the answer carries a new refresh token; the old one is void.
      rotated_refresh_token = NewRefreshToken();
      if (token_issued_hook) token_issued_hook(rotated_refresh_token);
      org->credentials.refresh_token = rotated_refresh_token;
    }
  }

  if (!service_account) {
    // Not the service account's token: one user's own, of this org or
    // (an isolation violation) of another tenant's org.
    const std::string token = Param(form, "refresh_token");
    if (auto answer = HandleUserRefresh(org, token)) return std::move(*answer);
    if (!token.empty() && OtherOrgHoldsUserToken(*org, token) && foreign_reference_hook) {
      std::string tenant;
      {
        std::lock_guard lock(org->mu);
        tenant = org->credentials.tenant;
      }
      foreign_reference_hook(tenant);
    }
    return sf::OAuthError("invalid_grant", "expired access/refresh token");
  }
  return IssueTokens(org, rotated_refresh_token);
}

HttpResponse SalesforceSim::Impl::IssueTokens(const std::shared_ptr<sf::Org>& org,
                                             const std::string& rotated_refresh_token, const std::string& user_id) {
  std::string client_secret, integration_user_id;
  {
    std::lock_guard lock(org->mu);
    client_secret = org->credentials.client_secret;
    integration_user_id = org->credentials.integration_user_id;
  }
  std::string access_token = NewAccessToken(org->org_id);
  if (token_issued_hook) token_issued_hook(access_token);
  {
    std::unique_lock lock(sessions_mu);
    if (sessions.size() >= sessions_prune_at) {
      sf::TimePoint now = Now();
      std::erase_if(sessions, [&](const auto& entry) { return now - entry.second.issued >= token_ttl; });
      sessions_prune_at = std::max(kMinSessionsBeforePrune, 2 * sessions.size());
    }
    sessions[access_token] = sf::Session{org, Now(), user_id};
  }

  auto issued_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string issued_at = std::to_string(issued_at_ms);
  std::string id_url =
      fmt::format("{}/id/{}/{}", origin, org->org_id, user_id.empty() ? integration_user_id : user_id);
  std::string body = "{\"access_token\":";
  sf::AppendJsonString(body, access_token);
  body.append(",\"signature\":");
  sf::AppendJsonString(body, HmacSha256Base64(client_secret, id_url + issued_at));
  body.append(",\"scope\":\"id api refresh_token\",\"instance_url\":");
  sf::AppendJsonString(body, origin);
  body.append(",\"id\":");
  sf::AppendJsonString(body, id_url);
  if (!rotated_refresh_token.empty()) {
    body.append(",\"refresh_token\":");
    sf::AppendJsonString(body, rotated_refresh_token);
  }
  body.append(",\"token_type\":\"Bearer\",\"issued_at\":");
  sf::AppendJsonString(body, issued_at);
  body.push_back('}');
  return sf::JsonResponse(200, std::move(body));
}

}  // namespace crmsync::sim

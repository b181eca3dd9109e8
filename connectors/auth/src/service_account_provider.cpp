// JWT-bearer grant for a service account impersonating one user (API-FACTS
// §3, §7). Caching and the single grant in flight are CachedTokenProvider's.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>

#include "cached_token_provider.hpp"
#include "crmsync/auth/hmac_request.hpp"
#include "crmsync/auth/service_account.hpp"
#include "crmsync/http/url.hpp"
#include "oauth_reply.hpp"
#include "token_request.hpp"

namespace crmsync::auth {
namespace {

constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::chrono::seconds kRefreshMargin{300};

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

class JwtBearerFlow final : public GrantFlow {
 public:
  JwtBearerFlow(ServiceAccountKey key, std::string subject, std::vector<std::string> scopes, std::string ca_file)
      : key_(std::move(key)), subject_(std::move(subject)), scopes_(std::move(scopes)), ca_file_(std::move(ca_file)) {
    const std::string host = http::HostForMessages(key_.token_uri);
    context_.service = "Google OAuth";
    context_.refusal = fmt::format("Google OAuth at {} refused the JWT grant of {} (client_id {}) for {}", host,
                                   key_.client_email, key_.client_id, subject_.empty() ? "itself" : subject_);
    context_.host = host;
    context_.secrets = {key_.private_key};
  }

  http::Request BuildRequest() override {
    const std::string assertion = BuildJwtAssertion(key_, subject_, scopes_, std::chrono::system_clock::now());
    return TokenRequest(key_.token_uri, ca_file_, "auth.jwt_bearer",
                        {{"grant_type", std::string(kJwtBearerGrant)}, {"assertion", assertion}});
  }

  Result<IssuedToken> ReadReply(const http::Response& response) override {
    std::optional<TokenReply> reply;
    if (response.transport_ok()) reply = ParseTokenReply(response.body);
    if (!response.transport_ok() || response.status < 200 || response.status >= 300) {
      if (response.transport_ok() && (response.status == 400 || response.status == 401) && reply &&
          reply->error == "unauthorized_client") {
        // Google's own description ("Client is unauthorized to retrieve access
        // tokens using this method...") does not say what to fix.
        return Status::Unauthorized(fmt::format(
            "domain-wide delegation is not granted to client_id {} for scopes {} (unauthorized_client)",
            key_.client_id, JoinScopes(scopes_)));
      }
      return GrantFailure(response, reply, context_);
    }
    if (!reply) return MalformedGrant(context_, "a JSON object");
    if (reply->access_token.empty()) return MalformedGrant(context_, "access_token");
    if (!reply->expires_in || *reply->expires_in <= 0) return MalformedGrant(context_, "a positive expires_in");
    const std::chrono::seconds lifetime(*reply->expires_in);
    IssuedToken issued;
    issued.token.value = std::move(reply->access_token);
    issued.use_for = std::max(lifetime - kRefreshMargin, lifetime / 2);
    return issued;
  }

 private:
  ServiceAccountKey key_;
  std::string subject_;
  std::vector<std::string> scopes_;
  std::string ca_file_;
  GrantContext context_;
};

}  // namespace

std::unique_ptr<TokenProvider> MakeServiceAccountProvider(http::Transport& transport, ServiceAccountKey key,
                                                          std::string subject, std::vector<std::string> scopes,
                                                          std::string ca_file, Clock clock, TokenKeeper* keeper) {
  std::string kept_as = keeper != nullptr ? ServiceAccountTokenKey(key, subject, scopes) : std::string();
  return std::make_unique<CachedTokenProvider>(
      transport,
      std::make_unique<JwtBearerFlow>(std::move(key), std::move(subject), std::move(scopes), std::move(ca_file)),
      std::move(clock), keeper, std::move(kept_as));
}

std::string ServiceAccountTokenKey(const ServiceAccountKey& key, const std::string& subject,
                                   const std::vector<std::string>& scopes) {
  std::vector<std::string> sorted = scopes;
  std::sort(sorted.begin(), sorted.end());
  // Hashed: the key is stored in the clear, and names the user.
  return Sha256Hex(fmt::format("service_account\n{}\n{}\n{}\n{}", key.client_email, key.private_key_id, subject,
                               fmt::join(sorted, " ")));
}

}  // namespace crmsync::auth

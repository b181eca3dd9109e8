// Microsoft identity platform, client-credentials grant (API-FACTS §1.8).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "cached_token_provider.hpp"
#include "crmsync/auth/hmac_request.hpp"
#include "crmsync/http/url.hpp"
#include "oauth_reply.hpp"
#include "token_request.hpp"

namespace crmsync::auth {
namespace {

class ClientCredentialsFlow final : public GrantFlow {
 public:
  explicit ClientCredentialsFlow(ClientCredentialsConfig config) : config_(std::move(config)) {
    const std::string host = http::HostForMessages(config_.token_url);
    context_.service = "Microsoft identity platform";
    context_.refusal = fmt::format("Microsoft identity platform refused the client credentials of client_id {} at {}",
                                   config_.client_id, host);
    context_.host = host;
    context_.secrets = {config_.client_secret};
  }

  http::Request BuildRequest() override {
    return TokenRequest(config_.token_url, config_.ca_file, "auth.client_credentials",
                        {{"client_id", config_.client_id},
                         {"client_secret", config_.client_secret},
                         {"scope", config_.scope},
                         {"grant_type", "client_credentials"}});
  }

  Result<IssuedToken> ReadReply(const http::Response& response) override {
    std::optional<TokenReply> reply;
    if (response.transport_ok()) reply = ParseTokenReply(response.body);
    if (!response.transport_ok() || response.status < 200 || response.status >= 300) {
      return GrantFailure(response, reply, context_);
    }
    if (!reply) return MalformedGrant(context_, "a JSON object");
    if (reply->access_token.empty()) return MalformedGrant(context_, "access_token");
    if (!reply->expires_in || *reply->expires_in <= 0) return MalformedGrant(context_, "a positive expires_in");
    // Refresh `refresh_margin` early, but never use less than half of a
    // short-lived token's life (a margin longer than the lifetime would
    // otherwise mean a grant per call).
    const std::chrono::seconds lifetime(*reply->expires_in);
    const std::chrono::seconds use_for = std::max(lifetime - config_.refresh_margin, lifetime / 2);
    IssuedToken issued;
    issued.token.value = std::move(reply->access_token);
    issued.use_for = use_for;
    return issued;
  }

 private:
  ClientCredentialsConfig config_;
  GrantContext context_;
};

}  // namespace

std::unique_ptr<TokenProvider> MakeClientCredentialsProvider(http::Transport& transport,
                                                              ClientCredentialsConfig config, Clock clock,
                                                              TokenKeeper* keeper) {
  // The token belongs to the application at that authority, for that scope,
  // and to its credentials: a changed client secret is not vouched for by a
  // token the old one got. Hashed: the key is stored in the clear.
  std::string kept_as =
      keeper != nullptr
          ? Sha256Hex(fmt::format("client_credentials\n{}\n{}\n{}\n{}", config.token_url, config.client_id,
                                  config.client_secret, config.scope))
          : "";
  return std::make_unique<CachedTokenProvider>(
      transport, std::make_unique<ClientCredentialsFlow>(std::move(config)), std::move(clock), keeper,
      std::move(kept_as));
}

}  // namespace crmsync::auth

// OAuth 2.0 refresh-token grant for a user's delegated consent (RFC 6749 §6),
// with durable refresh-token rotation.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "cached_token_provider.hpp"
#include "crmsync/core/crash_point.hpp"
#include "crmsync/http/url.hpp"
#include "oauth_reply.hpp"
#include "token_request.hpp"

namespace crmsync::auth {
namespace {

class RefreshTokenFlow final : public GrantFlow {
 public:
  explicit RefreshTokenFlow(RefreshTokenConfig config) : config_(std::move(config)) {
    const std::string host = http::HostForMessages(config_.token_url);
    context_.service = config_.service;
    context_.refusal = fmt::format("{} refused the refresh token of {} for client_id {} at {}", config_.service,
                                   config_.subject.empty() ? "the user" : config_.subject, config_.client_id, host);
    context_.host = host;
    context_.secrets = {config_.client_secret, config_.refresh_token};
  }

  http::Request BuildRequest() override {
    std::string refresh_token;
    {
      std::lock_guard lock(mu_);
      refresh_token = config_.refresh_token;
    }
    std::vector<std::pair<std::string, std::string>> form = {{"client_id", config_.client_id},
                                                             {"client_secret", config_.client_secret},
                                                             {"grant_type", "refresh_token"},
                                                             {"refresh_token", refresh_token}};
    if (!config_.scope.empty()) form.emplace_back("scope", config_.scope);
    return TokenRequest(config_.token_url, config_.ca_file, "auth.refresh_token", form);
  }

  Result<IssuedToken> ReadReply(const http::Response& response) override {
    std::optional<TokenReply> reply;
    if (response.transport_ok()) reply = ParseTokenReply(response.body);
    if (!response.transport_ok() || response.status < 200 || response.status >= 300) {
      std::lock_guard lock(mu_);
      return GrantFailure(response, reply, context_);
    }
    std::lock_guard lock(mu_);
    if (!reply) return MalformedGrant(context_, "a JSON object");
    if (reply->access_token.empty()) return MalformedGrant(context_, "access_token");
    if (!reply->expires_in || *reply->expires_in <= 0) return MalformedGrant(context_, "a positive expires_in");
    if (!reply->refresh_token.empty() && reply->refresh_token != config_.refresh_token) {
      // Rotation: kept for the next grant, and handed to the owner to store
      // before anyone uses this grant's access token.
      config_.refresh_token = reply->refresh_token;
      context_.secrets.push_back(reply->refresh_token);
      CRMSYNC_CRASH_POINT("mailbox_token_granted_before_refresh_stored");
      if (config_.on_rotated) {
        Status kept = config_.on_rotated(reply->refresh_token);
        if (!kept.ok()) {
          return Status::Io(Redact(fmt::format("{} rotated the refresh token of {} but it could not be stored: {}",
                                               config_.service, config_.subject, kept.message()),
                                   context_.secrets));
        }
      }
    }
    const std::chrono::seconds lifetime(*reply->expires_in);
    IssuedToken issued;
    issued.token.value = std::move(reply->access_token);
    issued.use_for = std::max(lifetime - config_.refresh_margin, lifetime / 2);
    return issued;
  }

 private:
  std::mutex mu_;  // guards config_.refresh_token and context_.secrets (rotation)
  RefreshTokenConfig config_;
  GrantContext context_;
};

}  // namespace

std::unique_ptr<TokenProvider> MakeRefreshTokenProvider(http::Transport& transport, RefreshTokenConfig config,
                                                         Clock clock) {
  return std::make_unique<CachedTokenProvider>(
      transport, std::make_unique<RefreshTokenFlow>(std::move(config)), std::move(clock));
}

}  // namespace crmsync::auth

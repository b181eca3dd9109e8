// Salesforce OAuth refresh-token grant (API-FACTS §4.1).
#include <fmt/format.h>

#include <mutex>

#include "crmsync/core/crash_point.hpp"
#include "cached_token_provider.hpp"
#include "crmsync/http/url.hpp"
#include "oauth_reply.hpp"
#include "token_request.hpp"

namespace crmsync::auth {
namespace {

class SalesforceRefreshFlow final : public GrantFlow {
 public:
  explicit SalesforceRefreshFlow(SalesforceRefreshConfig config) : config_(std::move(config)) {
    const std::string host = http::HostForMessages(config_.token_url);
    context_.service = "Salesforce";
    context_.refusal =
        fmt::format("Salesforce refused the refresh token for client_id {} at {}", config_.client_id, host);
    context_.host = host;
    context_.secrets = {config_.client_secret, config_.refresh_token};
  }

  http::Request BuildRequest() override {
    std::string refresh_token;
    {
      std::lock_guard lock(mu_);
      refresh_token = config_.refresh_token;
    }
    return TokenRequest(config_.token_url, config_.ca_file, "auth.sf_refresh",
                        {{"grant_type", "refresh_token"},
                         {"refresh_token", refresh_token},
                         {"client_id", config_.client_id},
                         {"client_secret", config_.client_secret}});
  }

  Result<IssuedToken> ReadReply(const http::Response& response) override {
    std::optional<TokenReply> reply;
    if (response.transport_ok()) reply = ParseTokenReply(response.body);
    if (!response.transport_ok() || response.status < 200 || response.status >= 300) {
      std::lock_guard lock(mu_);
      return GrantFailure(response, reply, context_);
    }
    if (!reply) return MalformedGrant(context_, "a JSON object");
    if (reply->access_token.empty()) return MalformedGrant(context_, "access_token");
    if (reply->instance_url.empty() || http::HostPort(reply->instance_url) == "<invalid url>" ||
        !(reply->instance_url.starts_with("https://") || reply->instance_url.starts_with("http://"))) {
      return MalformedGrant(context_, "a valid instance_url");
    }
    if (config_.check_instance_url) {
      Status allowed = config_.check_instance_url(reply->instance_url);
      if (!allowed.ok()) {
        return Status::Unauthorized(fmt::format("Salesforce token endpoint at {} answered an instance_url that is "
                                                "not allowed: {}", context_.host, allowed.message()));
      }
    }
    if (!reply->refresh_token.empty()) {
      // Refresh-token rotation: the old token is now void. Kept for the next
      // grant, and handed to the owner to store before anyone uses the grant.
      {
        std::lock_guard lock(mu_);
        config_.refresh_token = reply->refresh_token;
        context_.secrets.push_back(reply->refresh_token);
      }
      CRMSYNC_CRASH_POINT("token_granted_before_refresh_stored");
      if (config_.on_rotated) {
        Status kept = config_.on_rotated(reply->refresh_token);
        if (!kept.ok()) {
          return Status::Io(Redact(fmt::format("Salesforce rotated the refresh token but it could not be stored: {}",
                                               kept.message()),
                                   {reply->refresh_token}));
        }
      }
    }
    IssuedToken issued;
    issued.token.value = std::move(reply->access_token);
    issued.token.instance_url = std::move(reply->instance_url);
    return issued;  // no expires_in: kept until a 401 invalidates it
  }

 private:
  std::mutex mu_;  // guards config_.refresh_token and context_.secrets (rotation)
  SalesforceRefreshConfig config_;
  GrantContext context_;
};

}  // namespace

std::unique_ptr<TokenProvider> MakeSalesforceRefreshProvider(http::Transport& transport,
                                                              SalesforceRefreshConfig config) {
  return std::make_unique<CachedTokenProvider>(
      transport, std::make_unique<SalesforceRefreshFlow>(std::move(config)), Clock{});
}

}  // namespace crmsync::auth

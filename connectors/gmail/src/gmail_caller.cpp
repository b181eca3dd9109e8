#include "gmail_caller.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "crmsync/auth/service_account.hpp"
#include "crmsync/gmail/gmail.hpp"
#include "crmsync/http/retry.hpp"

namespace crmsync::gmail::detail {
namespace {

std::string Describe(const CallSpec& spec, const http::Response& response) {
  GoogleError error = ParseGoogleError(response.body);
  std::string text = fmt::format("Gmail {} for {}: HTTP {}", spec.kind, spec.subject, response.status);
  if (!error.reasons.empty()) text += fmt::format(" {}", error.reasons.front());
  if (!error.message.empty()) text += fmt::format(": {}", error.message.substr(0, 300));
  return text;
}

// What a call gets when no token may be asked for: its error, never a silent
// fallback to another identity.
class RefusedTokens final : public auth::TokenProvider {
 public:
  explicit RefusedTokens(std::string why) : why_(std::move(why)) {}
  void Get(auth::TokenCallback done) override { done(Status::Unauthorized(why_)); }
  void Invalidate(const std::string&) override {}
  std::uint64_t grants() const override { return 0; }

 private:
  std::string why_;
};

}  // namespace

bool IsRateLimited(const http::Response& response) {
  if (response.status == 429) return true;
  if (response.status != 403) return false;
  for (const std::string& reason : ParseGoogleError(response.body).reasons) {
    if (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded") return true;
  }
  return false;
}

struct GmailCaller::Pending {
  CallSpec spec;
  std::function<void(Result<http::Response>)> done;
  int attempt = 1;
  bool refreshed = false;
};

GmailCaller::GmailCaller(http::Transport& transport, const GmailSourceOptions& options)
    : transport_(transport), options_(options), pacer_(options.units_per_second) {
  if (options_.user_tokens) {
    no_user_grant_ = std::make_unique<RefusedTokens>("the user has no mailbox authorization of their own");
    no_directory_ = std::make_unique<RefusedTokens>(
        "google.access = \"oauth_user\" has no service account: the Directory API is not read");
  }
}

auth::TokenProvider& GmailCaller::TokensFor(const CallSpec& spec) {
  if (options_.user_tokens) {
    if (spec.directory) return *no_directory_;
    auth::TokenProvider* own = options_.user_tokens(spec.subject);
    return own != nullptr ? *own : *no_user_grant_;
  }
  // Group members need their own scope, asked for only when a tenant reads a
  // group, so that tenants without groups need no extra delegation.
  const bool members = spec.directory && spec.group_members;
  const std::string key = (members ? "members\n" : spec.directory ? "directory\n" : "gmail\n") + spec.subject;
  std::lock_guard lock(mu_);
  std::unique_ptr<auth::TokenProvider>& provider = providers_[key];
  if (!provider) {
    provider = auth::MakeServiceAccountProvider(transport_, options_.key, spec.subject,
                                                members ? options_.group_member_scopes
                                                : spec.directory ? options_.directory_scopes
                                                                 : options_.scopes,
                                                options_.ca_file, {}, options_.token_keeper);
  }
  return *provider;
}

std::uint64_t GmailCaller::token_grants() const {
  std::lock_guard lock(mu_);
  std::uint64_t total = 0;
  for (const auto& [key, provider] : providers_) total += provider->grants();
  if (options_.user_token_grants) total += options_.user_token_grants();
  return total;
}

void GmailCaller::Call(CallSpec spec, std::function<void(Result<http::Response>)> done,
                       std::chrono::milliseconds delay) {
  auto call = std::make_shared<Pending>();
  call->spec = std::move(spec);
  call->done = std::move(done);
  Attempt(std::move(call), delay);
}

void GmailCaller::Attempt(std::shared_ptr<Pending> call, std::chrono::milliseconds retry_delay) {
  auth::TokenProvider& tokens = TokensFor(call->spec);
  tokens.Get([this, call, retry_delay](Result<auth::AccessToken> token) {
    if (!token.ok()) {
      call->done(token.status());
      return;
    }
    // Paced on every attempt: a retry spends quota too.
    const auto pacing = pacer_.Reserve(call->spec.subject, call->spec.units);
    http::Request request;
    request.method = call->spec.method;
    request.url = call->spec.url;
    request.headers = {{"Authorization", "Bearer " + token->value}, {"Accept", "application/json"}};
    if (!call->spec.content_type.empty()) request.headers.emplace_back("Content-Type", call->spec.content_type);
    request.body = call->spec.body;
    request.ca_file = options_.ca_file;
    request.timeout = options_.timeout;
    request.delay = std::max(pacing, retry_delay);
    request.kind = call->spec.kind;
    requests_.fetch_add(1, std::memory_order_relaxed);
    transport_.Submit(std::move(request), [this, call, used = std::move(token->value)](http::Response&& response) {
      OnResponse(call, used, std::move(response));
    });
  });
}

void GmailCaller::OnResponse(std::shared_ptr<Pending> call, const std::string& token, http::Response&& response) {
  if (!response.transport_ok()) {
    http::TransportFailure failure = http::ClassifyTransportFailure("Gmail", response);
    if (failure.retry) {
      Retry(std::move(call), std::move(failure.status), std::nullopt);
    } else {
      call->done(std::move(failure.status));
    }
    return;
  }
  const long status = response.status;
  if (status >= 200 && status < 300) {
    call->done(std::move(response));
    return;
  }
  if (status == 401) {
    if (call->refreshed) {
      call->done(Status::Unauthorized(Describe(call->spec, response)));
      return;
    }
    call->refreshed = true;
    TokensFor(call->spec).Invalidate(token);
    Attempt(std::move(call), std::chrono::milliseconds(0));
    return;
  }
  if (status == 404) {
    call->done(Status::NotFound(Describe(call->spec, response)));
    return;
  }
  if (status == 410) {   // Calendar: the sync token expired, a full sync is required
    call->done(Status::Gone(Describe(call->spec, response)));
    return;
  }
  const auto retry_after = http::ParseRetryAfter(response.header("retry-after"));
  if (IsRateLimited(response)) {
    Retry(std::move(call),
          Status::Throttled(Describe(call->spec, response), retry_after.value_or(std::chrono::milliseconds(0))),
          retry_after);
    return;
  }
  if (status >= 500) {
    Retry(std::move(call), Status::Transient(Describe(call->spec, response)), retry_after);
    return;
  }
  if (status == 403) {
    // Not a rate limit: the mailbox's access was taken away (delegation
    // revoked, user suspended). The engine suspends that user.
    call->done(Status::Unauthorized(Describe(call->spec, response)));
    return;
  }
  call->done(Status::Permanent(Describe(call->spec, response)));
}

void GmailCaller::Retry(std::shared_ptr<Pending> call, Status final_status,
                        std::optional<std::chrono::milliseconds> after) {
  const auto delay = http::NextRetryDelay(call->attempt, options_.max_attempts, after);
  if (!delay) {
    call->done(http::RetriesExhausted(final_status, call->attempt));
    return;
  }
  Attempt(std::move(call), *delay);
}

}  // namespace crmsync::gmail::detail

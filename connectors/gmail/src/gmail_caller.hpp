// One Gmail/Directory API call across its attempts: the impersonated user's
// token (one refresh on 401), quota pacing before every send, and retries of
// 429 / 403 rateLimitExceeded|userRateLimitExceeded and 5xx with Retry-After
// or backoff (crmsync/http/retry.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "crmsync/gmail/quota_pacer.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::gmail::detail {

struct CallSpec {
  std::string subject;      // impersonated user: token and pacing bucket
  bool directory = false;   // Directory scopes instead of Gmail scopes
  bool group_members = false;   // with `directory`: the group-member scope (groups.members.list)
  int units = 0;            // quota units of this call
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string content_type;
  std::string kind;         // statistics label
};

// True for a throttling answer: 429, or 403 with a rate-limit reason.
bool IsRateLimited(const http::Response& response);

// Thread-safe; completions run on the transport thread.
class GmailCaller {
 public:
  GmailCaller(http::Transport& transport, const GmailSourceOptions& options);

  // `done` gets the 2xx response. Errors: kNotFound (404), kUnauthorized
  // (token grant refused, or 401 twice), kThrottled/kTransient after
  // max_attempts, kTls, kPermanent (other 4xx, with Google's message).
  // `delay` postpones the first attempt (backoff decided by the caller).
  void Call(CallSpec spec, std::function<void(Result<http::Response>)> done,
            std::chrono::milliseconds delay = std::chrono::milliseconds(0));

  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  std::uint64_t token_grants() const;

 private:
  struct Pending;
  auth::TokenProvider& TokensFor(const CallSpec& spec);
  void Attempt(std::shared_ptr<Pending> call, std::chrono::milliseconds retry_delay);
  void OnResponse(std::shared_ptr<Pending> call, const std::string& token, http::Response&& response);
  void Retry(std::shared_ptr<Pending> call, Status final_status, std::optional<std::chrono::milliseconds> after);

  http::Transport& transport_;
  const GmailSourceOptions& options_;
  QuotaPacer pacer_;
  std::atomic<std::uint64_t> requests_{0};
  mutable std::mutex mu_;
  // One provider per (impersonated user, scope set), created on first use.
  std::unordered_map<std::string, std::unique_ptr<auth::TokenProvider>> providers_;  // guarded by mu_
  // options.user_tokens mode: what a user without a grant, or a Directory call, gets.
  std::unique_ptr<auth::TokenProvider> no_user_grant_, no_directory_;
};

}  // namespace crmsync::gmail::detail

// The mechanism both token providers share: one cached token with a refresh
// deadline, and at most one grant in flight whose result every waiting caller
// receives. What a grant request looks like and how its answer is read is
// the GrantFlow's business.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "crmsync/auth/token_provider.hpp"

namespace crmsync::auth {

struct IssuedToken {
  AccessToken token;
  // Use the token for this long after the grant was sent; nullopt keeps it
  // until Invalidate().
  std::optional<std::chrono::steady_clock::duration> use_for;
};

class GrantFlow {
 public:
  virtual ~GrantFlow() = default;
  // May be called from any thread calling Get(); never concurrently with itself.
  virtual http::Request BuildRequest() = 0;
  // Called on the transport thread with the grant's answer.
  virtual Result<IssuedToken> ReadReply(const http::Response& response) = 0;
};

class CachedTokenProvider final : public TokenProvider {
 public:
  CachedTokenProvider(http::Transport& transport, std::unique_ptr<GrantFlow> flow, Clock clock);
  // With a keeper: starts with the token kept under `key` while it may still
  // be used, and keeps every token it is granted (those with a lifetime).
  CachedTokenProvider(http::Transport& transport, std::unique_ptr<GrantFlow> flow, Clock clock,
                      TokenKeeper* keeper, std::string key);

  void Get(TokenCallback done) override;
  void Invalidate(const std::string& stale) override;
  std::uint64_t grants() const override;

 private:
  // Shared with grant completions, so a provider destroyed while a grant is
  // in flight still answers its waiters.
  struct State {
    http::Transport* transport = nullptr;
    std::unique_ptr<GrantFlow> flow;
    Clock clock;
    std::mutex mu;
    std::optional<AccessToken> cached;                        // guarded by mu
    std::optional<std::chrono::steady_clock::time_point> refresh_at;  // guarded by mu; nullopt = never
    bool grant_in_flight = false;                             // guarded by mu
    std::vector<TokenCallback> waiters;                       // guarded by mu
    std::atomic<std::uint64_t> grants{0};
    TokenKeeper* keeper = nullptr;
    std::string keeper_key;
  };

  static void OnGrant(const std::shared_ptr<State>& state, std::chrono::steady_clock::time_point sent,
                      const http::Response& response, int attempt);

  std::shared_ptr<State> state_;
};

}  // namespace crmsync::auth

#include "cached_token_provider.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

#include "crmsync/http/retry.hpp"

namespace crmsync::auth {
namespace {

// A grant is retried like any other request: throttling, 5xx, dropped
// connections and unreadable answers (a reply cut short) say nothing about
// the credentials, and asking again for a token changes nothing remote.
constexpr int kMaxGrantAttempts = 4;

bool RetryableGrant(const Status& status) {
  return status.retryable() || status.code() == StatusCode::kCorruption;
}

std::int64_t UnixMsNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

CachedTokenProvider::CachedTokenProvider(http::Transport& transport, std::unique_ptr<GrantFlow> flow,
                                         Clock clock)
    : state_(std::make_shared<State>()) {
  state_->transport = &transport;
  state_->flow = std::move(flow);
  state_->clock = clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); });
}

CachedTokenProvider::CachedTokenProvider(http::Transport& transport, std::unique_ptr<GrantFlow> flow, Clock clock,
                                         TokenKeeper* keeper, std::string key)
    : CachedTokenProvider(transport, std::move(flow), std::move(clock)) {
  if (keeper == nullptr) return;
  state_->keeper = keeper;
  state_->keeper_key = std::move(key);
  const std::optional<KeptToken> kept = keeper->Load(state_->keeper_key);
  if (!kept) return;
  const auto left = std::chrono::milliseconds(kept->use_until_unix_ms - UnixMsNow());
  if (left <= std::chrono::milliseconds::zero()) return;
  state_->cached = kept->token;
  state_->refresh_at = state_->clock() + left;
}

void CachedTokenProvider::Get(TokenCallback done) {
  const auto now = state_->clock();
  std::optional<http::Request> grant;
  std::optional<AccessToken> ready;
  {
    std::lock_guard lock(state_->mu);
    if (state_->cached && (!state_->refresh_at || now < *state_->refresh_at)) {
      ready = *state_->cached;
    } else {
      state_->waiters.push_back(std::move(done));
      if (!state_->grant_in_flight) {
        state_->grant_in_flight = true;
        grant = state_->flow->BuildRequest();
      }
    }
  }
  if (ready) {
    done(std::move(*ready));
    return;
  }
  if (!grant) return;  // another caller's grant will answer this one too
  state_->grants.fetch_add(1, std::memory_order_relaxed);
  state_->transport->Submit(std::move(*grant), [state = state_, now](http::Response&& response) {
    OnGrant(state, now, response, 1);
  });
}

void CachedTokenProvider::OnGrant(const std::shared_ptr<State>& state,
                                  std::chrono::steady_clock::time_point sent,
                                  const http::Response& response, int attempt) {
  Result<IssuedToken> issued = state->flow->ReadReply(response);
  if (!issued.ok() && RetryableGrant(issued.status())) {
    int next = attempt;
    std::optional<std::chrono::milliseconds> retry_after;
    if (issued.status().code() == StatusCode::kThrottled && issued.status().retry_after().count() > 0) {
      retry_after = std::min(issued.status().retry_after(), http::kMaxRetryAfter);
    }
    if (const auto delay = http::NextRetryDelay(next, kMaxGrantAttempts, retry_after)) {
      // grant_in_flight stays set: waiters keep waiting for this retry, and
      // BuildRequest is still called by one thread at a time.
      http::Request grant = state->flow->BuildRequest();
      grant.delay = *delay;
      state->grants.fetch_add(1, std::memory_order_relaxed);
      const auto resent = state->clock() + *delay;
      state->transport->Submit(std::move(grant), [state, resent, next](http::Response&& retry) {
        OnGrant(state, resent, retry, next);
      });
      return;
    }
    issued = http::RetriesExhausted(issued.status(), attempt);
  }
  std::vector<TokenCallback> waiters;
  {
    std::lock_guard lock(state->mu);
    state->grant_in_flight = false;
    if (issued.ok()) {
      state->cached = issued->token;
      state->refresh_at.reset();
      if (issued->use_for) state->refresh_at = sent + *issued->use_for;
    }
    waiters.swap(state->waiters);
  }
  if (issued.ok() && issued->use_for && state->keeper != nullptr) {
    // Wall-clock time for another process: the steady deadline, from now.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(sent + *issued->use_for - state->clock());
    state->keeper->Keep(state->keeper_key, KeptToken{issued->token, UnixMsNow() + left.count()});
  }
  // Every waiter is answered even if one of them throws; the first exception
  // is then passed on to the transport, which counts it.
  std::exception_ptr first_error;
  for (TokenCallback& waiter : waiters) {
    try {
      if (issued.ok()) {
        waiter(issued->token);
      } else {
        waiter(issued.status());
      }
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

void CachedTokenProvider::Invalidate(const std::string& stale) {
  std::lock_guard lock(state_->mu);
  if (state_->cached && state_->cached->value == stale) {
    state_->cached.reset();
    state_->refresh_at.reset();
  }
}

std::uint64_t CachedTokenProvider::grants() const {
  return state_->grants.load(std::memory_order_relaxed);
}

}  // namespace crmsync::auth

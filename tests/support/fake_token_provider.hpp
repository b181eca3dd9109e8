// TokenProvider doubles: a fake that hands out numbered tokens, and GetNow()
// for providers that answer on the caller's thread.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "crmsync/auth/token_provider.hpp"

namespace crmsync::testing {

// Hands out "token-<generation>"; Invalidate() of the current token moves to
// the next generation, as a real provider re-grants after a 401.
class FakeTokenProvider : public auth::TokenProvider {
 public:
  explicit FakeTokenProvider(std::string instance_url = {})
      : instance_url_(std::move(instance_url)) {}

  void Get(auth::TokenCallback done) override {
    std::string value;
    {
      std::lock_guard lock(mutex_);
      if (!failure_.ok()) {
        Status failure = failure_;
        ++grants_;
        done(std::move(failure));
        return;
      }
      value = "token-" + std::to_string(generation_);
    }
    done(auth::AccessToken{value, instance_url_});
  }

  void Invalidate(const std::string& stale) override {
    std::lock_guard lock(mutex_);
    ++invalidations_;
    if (stale == "token-" + std::to_string(generation_)) {
      ++generation_;
      ++grants_;
    }
  }

  std::uint64_t grants() const override {
    std::lock_guard lock(mutex_);
    return grants_;
  }
  int invalidations() const {
    std::lock_guard lock(mutex_);
    return invalidations_;
  }
  void FailWith(Status status) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(status);
  }

 private:
  std::string instance_url_;
  mutable std::mutex mutex_;
  int generation_ = 1;
  std::uint64_t grants_ = 1;
  int invalidations_ = 0;
  Status failure_;
};

// Get() whose callback the test has to see at most once; empty when the
// provider did not answer on the caller's thread.
inline std::optional<Result<auth::AccessToken>> GetNow(auth::TokenProvider& provider) {
  std::optional<Result<auth::AccessToken>> out;
  int calls = 0;
  provider.Get([&](Result<auth::AccessToken> result) {
    ++calls;
    out.emplace(std::move(result));
  });
  REQUIRE(calls <= 1);
  return out;
}

}  // namespace crmsync::testing

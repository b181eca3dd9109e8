// The simulated Microsoft identity platform: the v2.0 client-credentials token
// endpoint (API-FACTS.md §1.8) and the access tokens it hands out. Tokens are
// opaque random strings that expire after `ttl` of the injected steady clock.
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "issued_tokens.hpp"
#include "corpus.hpp"
#include "mailbox_access.hpp"
#include "http_server.hpp"

namespace crmsync::sim {

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

class IdentityService {
 public:
  IdentityService(const Corpus& corpus, std::string origin, std::chrono::seconds ttl, SteadyClock clock = {});

  // POST /{tenant}/oauth2/v2.0/token
  static bool Owns(const HttpRequest& request);
  // A tenant whose access the administrator revoked gets no tokens (nullptr: all allowed).
  void SetMailboxAccess(const MailboxAccess* access) { access_ = access; }
  HttpResponse Handle(const HttpRequest& request);

  enum class TokenState { kValid, kExpired, kUnknown };
  // The resource a token was granted for (its scope): Graph or EWS.
  enum class Audience { kGraph, kExchange };
  struct TokenCheck {
    TokenState state = TokenState::kUnknown;
    int tenant = -1;
    Audience audience = Audience::kGraph;
  };
  TokenCheck Check(std::string_view access_token) const;
  // Where every issued access token is also recorded (nullptr: nowhere).
  void SetIssuedTokens(IssuedTokens* issued) { issued_ = issued; }

 private:
  struct Grant {
    int tenant;
    std::chrono::steady_clock::time_point expires;
    Audience audience = Audience::kGraph;
  };
  HttpResponse Error(int status, const char* error, int code, const std::string& description) const;

  const Corpus& corpus_;
  std::string origin_;
  std::chrono::seconds ttl_;
  SteadyClock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Grant> tokens_;
  const MailboxAccess* access_ = nullptr;
  IssuedTokens* issued_ = nullptr;
};

}  // namespace crmsync::sim

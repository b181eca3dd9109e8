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

#include "delegated_tokens.hpp"
#include "issued_tokens.hpp"
#include "corpus.hpp"
#include "mailbox_access.hpp"
#include "http_server.hpp"

namespace crmsync::sim {

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

class IdentityService {
 public:
  IdentityService(const Corpus& corpus, std::string origin, std::chrono::seconds ttl, SteadyClock clock = {});

  // POST /{tenant}/oauth2/v2.0/token, GET /{tenant}/oauth2/v2.0/authorize
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
    int user = -1;   // a delegated token: the only user whose data it may read; -1: application token
  };
  TokenCheck Check(std::string_view access_token) const;
  // Where every issued access token is also recorded (nullptr: nowhere).
  void SetIssuedTokens(IssuedTokens* issued) { issued_ = issued; }
  // Per-user refresh tokens the refresh_token grant redeems (nullptr: that grant is refused).
  void SetDelegatedTokens(DelegatedTokens* delegated) { delegated_ = delegated; }

 private:
  struct Grant {
    int tenant;
    std::chrono::steady_clock::time_point expires;
    Audience audience = Audience::kGraph;
    int user = -1;
  };
  HttpResponse Error(int status, const char* error, int code, const std::string& description) const;
  // grant_type=refresh_token with a user's delegated refresh token (identity_refresh.cpp);
  // the client is already authenticated as tenant `tenant`'s application.
  HttpResponse HandleRefresh(int tenant, const std::string& refresh_token, const std::string& scope);
  // GET /{tenant}/oauth2/v2.0/authorize: the user named by login_hint consents
  // at once (no sign-in page) and is redirected with a code.
  HttpResponse HandleAuthorize(const HttpRequest& request, int tenant);
  // grant_type=authorization_code (PKCE S256): a user's first refresh token.
  HttpResponse HandleAuthorizationCode(int tenant, const std::string& code, const std::string& redirect_uri,
                                       const std::string& verifier);
  // The delegated grant's answer: an access token for the user and `refresh_token`.
  HttpResponse DelegatedGrant(int tenant, int user, const std::string& refresh_token, const std::string& scope);
  // Records and answers a new access token for `tenant` (and `user`, when delegated).
  std::string NewAccessToken(int tenant, Audience audience, int user);

  const Corpus& corpus_;
  std::string origin_;
  std::chrono::seconds ttl_;
  SteadyClock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Grant> tokens_;
  const MailboxAccess* access_ = nullptr;
  IssuedTokens* issued_ = nullptr;
  DelegatedTokens* delegated_ = nullptr;
};

}  // namespace crmsync::sim

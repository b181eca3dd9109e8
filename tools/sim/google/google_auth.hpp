// Google's side of authentication for Gmail tenants (API-FACTS.md §3.7): one
// service account per tenant (RSA-2048 key generated at start: key files must
// be rewritten by each run), its domain-wide delegation grant, the JWT-bearer
// token endpoint POST /token, and the access tokens it hands out, each bound
// to (tenant, impersonated user, scopes). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "issued_tokens.hpp"
#include "corpus.hpp"
#include "isolation_log.hpp"
#include "mailbox_access.hpp"
#include "http_server.hpp"
#include "delegated_tokens.hpp"
#include "identity_service.hpp"
#include "rsa_key.hpp"

namespace crmsync::sim::google {

// Seconds since the Unix epoch; JWT iat/exp are checked against it.
using UnixClock = std::function<std::int64_t()>;

inline constexpr std::string_view kGmailReadonlyScope = "https://www.googleapis.com/auth/gmail.readonly";
inline constexpr std::string_view kCalendarReadonlyScope = "https://www.googleapis.com/auth/calendar.readonly";
inline constexpr std::string_view kDirectoryUserReadonlyScope =
    "https://www.googleapis.com/auth/admin.directory.user.readonly";
inline constexpr std::string_view kDirectoryGroupMemberReadonlyScope =
    "https://www.googleapis.com/auth/admin.directory.group.member.readonly";
inline constexpr std::int64_t kMaxJwtLifetime = 3600;
inline constexpr std::int64_t kClockSkew = 300;

struct ServiceAccount {
  int tenant = -1;
  std::string project_id, private_key_id, client_email, client_id;
  std::optional<RsaKey> key;
};

struct Delegation {
  std::string client_id;            // the Client ID authorized in the Admin console
  bool granted = true;
  std::set<std::string> scopes;
};

class GoogleAuth {
 public:
  GoogleAuth(const Corpus& corpus, std::string origin, std::chrono::seconds ttl, SteadyClock clock = {},
             UnixClock unix_clock = {});

  static bool Owns(const HttpRequest& request);             // POST /token, GET /o/oauth2/v2/auth
  HttpResponse Handle(const HttpRequest& request);
  // POST /_sim/google/delegation {"tenant":"tenant-2","granted":false,"scopes":[...]}
  static bool OwnsAdmin(const HttpRequest& request);
  HttpResponse HandleAdmin(const HttpRequest& request);

  // nullptr for a tenant that is not served by Gmail.
  const ServiceAccount* Account(int tenant) const;
  // The service-account JSON key file of a Gmail tenant (Google's format).
  std::string KeyFileJson(int tenant) const;
  // Changes a tenant's delegation; false for a non-Gmail tenant.
  bool SetDelegation(int tenant, std::optional<bool> granted, std::optional<std::set<std::string>> scopes);

  enum class TokenState { kValid, kExpired, kUnknown };
  struct TokenCheck {
    TokenState state = TokenState::kUnknown;
    int tenant = -1;
    int user = -1;
    std::set<std::string> scopes;
    bool oauth_user = false;   // the user's own consent, not the service account
  };
  TokenCheck Check(std::string_view access_token) const;

  // Revoked access refuses grants and voids issued tokens (nullptr: all allowed).
  void SetMailboxAccess(const MailboxAccess* access) { access_ = access; }
  // Where a service account's use of another tenant's user is recorded
  // (nullptr: not recorded); Gmail records through it too.
  void SetIsolationLog(IsolationLog* log) { isolation_ = log; }
  void SetIssuedTokens(IssuedTokens* issued) { issued_ = issued; }
  // Users' own refresh tokens (google_user_grants.cpp; nullptr: no per-user consent).
  void SetDelegatedTokens(DelegatedTokens* delegated) { delegated_ = delegated; }
  // Where a user's own token used on another mailbox of its tenant is recorded.
  void SetDelegationLog(IsolationLog* log) { delegation_ = log; }
  void RecordDelegationViolation(int tenant) const {
    if (delegation_ != nullptr) delegation_->Record(tenant);
  }
  void RecordIsolationViolation(int victim_tenant) const {
    if (isolation_ != nullptr) isolation_->Record(victim_tenant);
  }

 private:
  struct Grant {
    int tenant;
    int user;
    std::set<std::string> scopes;
    std::chrono::steady_clock::time_point expires;
    bool oauth_user = false;
  };
  HttpResponse Token(const HttpRequest& request);
  // google_user_grants.cpp: the consent screen and the refresh_token /
  // authorization_code grants of a user's own consent.
  HttpResponse Authorize(const HttpRequest& request);
  HttpResponse UserGrant(const std::map<std::string, std::string>& form);
  HttpResponse IssueUserToken(int tenant, int user, const std::string& refresh_token);

  const Corpus& corpus_;
  std::string origin_;
  std::chrono::seconds ttl_;
  SteadyClock clock_;
  UnixClock unix_clock_;
  std::vector<ServiceAccount> accounts_;                       // by tenant; tenant == -1 when not Gmail
  std::unordered_map<std::string, int> tenant_by_email_;       // client_email -> tenant
  mutable std::mutex mutex_;
  std::vector<Delegation> delegations_;                        // by tenant
  std::unordered_map<std::string, Grant> tokens_;
  const MailboxAccess* access_ = nullptr;
  IsolationLog* isolation_ = nullptr;
  IssuedTokens* issued_ = nullptr;
  DelegatedTokens* delegated_ = nullptr;
  IsolationLog* delegation_ = nullptr;
};

}  // namespace crmsync::sim::google

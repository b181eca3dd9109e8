// The provisioning API behind `crmsync serve` (README.md, "Provisioning API"):
// request authentication (HMAC-SHA256, timestamp window, single-use nonces)
// and the two handlers, POST /v1/tenants/{tenant}/users and
// DELETE /v1/tenants/{tenant}/users/{user}. Knows nothing of HTTP servers:
// `crmsync serve` adapts its requests to HandleRequest().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// Milliseconds since the Unix epoch; injectable so tests control time.
using UnixMillisClock = std::function<std::int64_t()>;
UnixMillisClock SystemUnixMillisClock();

// A request's timestamp is accepted when |now - timestamp| <= this.
inline constexpr std::int64_t kSignatureWindowSeconds = 300;
// A claimed nonce is kept this long past the end of its window, so a clock
// that steps back a little cannot free it while its timestamp still passes.
inline constexpr std::int64_t kNonceMarginSeconds = 60;
// Bodies larger than this are refused (413) before they are parsed.
inline constexpr std::size_t kMaxProvisioningBodyBytes = 64 * 1024;

// Stable reason codes of a refused request (the `error` of a 401 answer).
namespace reason {
inline constexpr std::string_view kMissingSignature = "missing_signature";      // a signing header is absent
inline constexpr std::string_view kMalformedSignature = "malformed_signature";  // bad header syntax
inline constexpr std::string_view kUnknownTenant = "unknown_tenant";  // not configured, or no secrets
inline constexpr std::string_view kTimestampOutOfWindow = "timestamp_out_of_window";
inline constexpr std::string_view kBadSignature = "bad_signature";
inline constexpr std::string_view kReplayedNonce = "replayed_nonce";
inline constexpr std::string_view kNonceStoreError = "nonce_store_unavailable";   // 503, not 401
}  // namespace reason

// What the path addresses.
struct ProvisioningRoute {
  enum class Kind { kNone, kUpsertUser, kDeleteUser, kActivateUser } kind = Kind::kNone;
  std::string tenant;
  std::string user;          // kDeleteUser only
  bool method_allowed = true;   // false: the path exists, the method does not (405)
};
// Matches /v1/tenants/{tenant}/users (POST) and /v1/tenants/{tenant}/users/{user}
// (DELETE); segments must be non-empty. Anything else is Kind::kNone.
ProvisioningRoute MatchProvisioningRoute(std::string_view method, std::string_view path);

struct Verdict {
  std::string reason;        // empty when accepted, else one of `reason::`
  std::string tenant;        // from the path, when it named one
  int secret_index = -1;     // which configured secret matched (0 current, 1 previous)
  bool accepted() const { return reason.empty(); }
  int http_status() const { return accepted() ? 200 : reason == reason::kNonceStoreError ? 503 : 401; }
};

// Verifies signed requests. Thread-safe: Verify() may run on many threads at
// once; each nonce is accepted at most once (state::Store::ClaimNonce).
class ProvisioningVerifier {
 public:
  // `config` and `nonces` must outlive the verifier.
  ProvisioningVerifier(const Config& config, state::Store& nonces, UnixMillisClock clock);

  // `headers` are keyed by lower-cased name. Checks in this order: route,
  // headers present, header syntax, tenant, timestamp window, signature
  // (each of the tenant's secrets, in constant time), and only then claims
  // the nonce, so unsigned traffic cannot burn nonces.
  Verdict Verify(std::string_view method, std::string_view path,
                 const std::map<std::string, std::string>& headers, std::string_view body) const;

  // Drops expired nonce claims; returns how many.
  Result<std::size_t> PurgeExpiredNonces() const;

 private:
  const TenantConfig* FindTenant(std::string_view id) const;

  const Config& config_;
  state::Store& nonces_;
  UnixMillisClock clock_;
};

// The POST body: {"user_id": "...", "email": "...", "aliases": ["..."],
// "salesforce_user_id": "005..."}. user_id and email required; aliases and
// salesforce_user_id optional; unknown fields refused. Errors are
// kInvalidArgument naming the field ("email: ...").
struct ProvisionedUser {
  std::string user_id;
  std::string email;                     // lower-cased
  std::vector<std::string> aliases;      // lower-cased
  std::string salesforce_user_id;        // "" when not given
};
Result<ProvisionedUser> ParseProvisionedUser(std::string_view body);

struct ProvisioningResponse {
  int status = 200;
  std::string body;          // JSON
  std::string reason;        // for the request log: reason code or field error, never a secret
  std::string user_id;       // for the request log
};

// Verifies a request, then validates it and hands the accepted change to the
// inbox (provisioning_inbox.hpp). 202 accepted, 400 bad body (naming the
// field), 401 refused (reason code), 404 unknown route, 405 wrong method,
// 413 body too large, 503 nonce store or inbox unavailable. Thread-safe.
class ProvisioningService {
 public:
  ProvisioningService(const Config& config, state::Store& nonces, std::string state_dir,
                      UnixMillisClock clock);

  ProvisioningResponse HandleRequest(std::string_view method, std::string_view path,
                                     const std::map<std::string, std::string>& headers,
                                     std::string_view body) const;

  const ProvisioningVerifier& verifier() const { return verifier_; }

 private:
  ProvisioningVerifier verifier_;
  std::string state_dir_;
  UnixMillisClock clock_;
};

}  // namespace crmsync::engine

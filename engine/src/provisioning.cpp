// Request authentication of the provisioning API.
#include "crmsync/engine/provisioning.hpp"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>

#include "crmsync/auth/hmac_request.hpp"

namespace crmsync::engine {
namespace {

constexpr std::string_view kTenantsPrefix = "/v1/tenants/";
constexpr std::size_t kSignatureHexDigits = 64;
// Unix seconds fit in 12 digits until the year 33658; longer is malformed.
constexpr std::size_t kMaxTimestampDigits = 12;

std::string LowerName(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string* FindHeader(const std::map<std::string, std::string>& headers, std::string_view name) {
  auto it = headers.find(LowerName(name));
  return it == headers.end() ? nullptr : &it->second;
}

bool ParseTimestamp(std::string_view text, std::int64_t& out) {
  if (text.empty() || text.size() > kMaxTimestampDigits) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// The hex digits of "v1=<hex>", lower-cased; empty when malformed.
std::string SignatureHex(std::string_view value) {
  if (value.substr(0, auth::kSignaturePrefix.size()) != auth::kSignaturePrefix) return {};
  std::string hex(value.substr(auth::kSignaturePrefix.size()));
  if (hex.size() != kSignatureHexDigits) return {};
  for (char& c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return hex;
}

Verdict Refuse(std::string_view reason, std::string tenant = {}) {
  Verdict v;
  v.reason = std::string(reason);
  v.tenant = std::move(tenant);
  return v;
}

}  // namespace

UnixMillisClock SystemUnixMillisClock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

ProvisioningRoute MatchProvisioningRoute(std::string_view method, std::string_view path) {
  ProvisioningRoute route;
  if (path.substr(0, kTenantsPrefix.size()) != kTenantsPrefix) return route;
  std::string_view rest = path.substr(kTenantsPrefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return route;
  const std::string_view tenant = rest.substr(0, slash);
  rest = rest.substr(slash);
  if (rest == "/users") {
    route.kind = ProvisioningRoute::Kind::kUpsertUser;
    route.method_allowed = method == "POST";
  } else if (rest.substr(0, 7) == "/users/" && rest.ends_with("/activate") &&
             rest.size() > 7 + 9 && rest.find('/', 7) == rest.size() - 9) {
    // POST /v1/tenants/{tenant}/users/{user}/activate: the user's first logon.
    route.kind = ProvisioningRoute::Kind::kActivateUser;
    route.user = std::string(rest.substr(7, rest.size() - 7 - 9));
    route.method_allowed = method == "POST";
  } else if (rest.substr(0, 7) == "/users/" && rest.size() > 7 &&
             rest.find('/', 7) == std::string_view::npos) {
    route.kind = ProvisioningRoute::Kind::kDeleteUser;
    route.user = std::string(rest.substr(7));
    route.method_allowed = method == "DELETE";
  } else {
    return route;
  }
  route.tenant = std::string(tenant);
  return route;
}

ProvisioningVerifier::ProvisioningVerifier(const Config& config, state::Store& nonces, UnixMillisClock clock)
    : config_(config), nonces_(nonces), clock_(clock ? std::move(clock) : SystemUnixMillisClock()) {}

const TenantConfig* ProvisioningVerifier::FindTenant(std::string_view id) const {
  for (const auto& tenant : config_.tenants) {
    if (tenant.id == id) return &tenant;
  }
  return nullptr;
}

Verdict ProvisioningVerifier::Verify(std::string_view method, std::string_view path,
                                     const std::map<std::string, std::string>& headers,
                                     std::string_view body) const {
  const ProvisioningRoute route = MatchProvisioningRoute(method, path);
  std::string tenant_id = route.tenant;

  const std::string* timestamp_header = FindHeader(headers, auth::kTimestampHeader);
  const std::string* nonce_header = FindHeader(headers, auth::kNonceHeader);
  const std::string* signature_header = FindHeader(headers, auth::kSignatureHeader);
  if (timestamp_header == nullptr || nonce_header == nullptr || signature_header == nullptr) {
    return Refuse(reason::kMissingSignature, tenant_id);
  }
  std::int64_t timestamp = 0;
  const std::string provided = SignatureHex(*signature_header);
  if (!ParseTimestamp(*timestamp_header, timestamp) || !auth::IsWellFormedNonce(*nonce_header) ||
      provided.empty()) {
    return Refuse(reason::kMalformedSignature, tenant_id);
  }

  const TenantConfig* tenant = route.kind == ProvisioningRoute::Kind::kNone ? nullptr : FindTenant(tenant_id);
  if (tenant == nullptr || tenant->provisioning.hmac_secrets.empty()) {
    return Refuse(reason::kUnknownTenant, tenant_id);
  }

  const std::int64_t now_ms = clock_();
  const std::int64_t skew_ms = now_ms - timestamp * 1000;
  if (std::llabs(skew_ms) > kSignatureWindowSeconds * 1000) {
    return Refuse(reason::kTimestampOutOfWindow, tenant_id);
  }

  // Every secret is tried, whichever matches, so the time taken does not
  // tell which slot (current or previous) an attacker came close to.
  const std::string canonical = auth::CanonicalString(method, path, timestamp, *nonce_header, body);
  int matched = -1;
  const auto& secrets = tenant->provisioning.hmac_secrets;
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    const std::string expected = auth::HmacSha256Hex(secrets[i], canonical);
    if (!expected.empty() && auth::ConstantTimeEquals(expected, provided) && matched < 0) {
      matched = static_cast<int>(i);
    }
  }
  if (matched < 0) return Refuse(reason::kBadSignature, tenant_id);

  const std::int64_t expires_ms = (timestamp + kSignatureWindowSeconds + kNonceMarginSeconds) * 1000;
  auto claimed = nonces_.ClaimNonce(tenant_id, *nonce_header, expires_ms, now_ms);
  if (!claimed.ok()) return Refuse(reason::kNonceStoreError, tenant_id);
  if (!claimed.value()) return Refuse(reason::kReplayedNonce, tenant_id);

  Verdict accepted;
  accepted.tenant = std::move(tenant_id);
  accepted.secret_index = matched;
  return accepted;
}

Result<std::size_t> ProvisioningVerifier::PurgeExpiredNonces() const { return nonces_.PurgeNonces(clock_()); }

}  // namespace crmsync::engine

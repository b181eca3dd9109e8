// Google service accounts with domain-wide delegation (API-FACTS.md §3, §7):
// the JSON key file an administrator downloads, the RS256-signed JWT assertion
// and the JWT-bearer grant, one token provider per impersonated user.
// The private key never appears in a Status message or a log line.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::auth {

inline constexpr std::string_view kGmailReadonlyScope = "https://www.googleapis.com/auth/gmail.readonly";
inline constexpr std::string_view kCalendarReadonlyScope = "https://www.googleapis.com/auth/calendar.readonly";
// What the engine reads by default: mail, and calendars for meetings. No
// Drive scope: crmsync does not store attachments in Drive.
inline const std::vector<std::string>& DefaultWorkspaceScopes() {
  static const std::vector<std::string> scopes = {std::string(kGmailReadonlyScope),
                                                  std::string(kCalendarReadonlyScope)};
  return scopes;
}
inline constexpr std::string_view kDirectoryUserReadonlyScope =
    "https://www.googleapis.com/auth/admin.directory.user.readonly";
inline constexpr std::string_view kDirectoryGroupMemberReadonlyScope =
    "https://www.googleapis.com/auth/admin.directory.group.member.readonly";

struct ServiceAccountKey {
  std::string project_id;
  std::string private_key_id;
  std::string private_key;   // PEM, validated as an RSA private key
  std::string client_email;  // the JWT issuer
  std::string client_id;     // what the Admin console authorizes for delegation
  std::string token_uri;     // e.g. https://oauth2.googleapis.com/token
};

// Validates a key file's content: type "service_account", every field above
// present as a non-empty string, and a private_key that OpenSSL reads as an
// RSA private key. kInvalidArgument with a message an administrator can act
// on; the key material is never quoted.
Result<ServiceAccountKey> ParseServiceAccountKey(std::string_view json);

// Compact JWS (RS256): header {"alg":"RS256","typ":"JWT","kid":private_key_id},
// claims iss, sub (omitted when `subject` is empty), scope (space-separated),
// aud = token_uri, iat = now, exp = iat + 3600; base64url without padding.
// Returns "" only if the key cannot sign (ParseServiceAccountKey rules that out).
std::string BuildJwtAssertion(const ServiceAccountKey& key, const std::string& subject,
                              const std::vector<std::string>& scopes,
                              std::chrono::system_clock::time_point now);

// JWT-bearer grant (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer)
// at key.token_uri impersonating `subject`, cached until shortly before
// expires_in runs out (CachedTokenProvider). Errors: unauthorized_client ->
// kUnauthorized "domain-wide delegation is not granted to client_id <id> for
// scopes <...> (unauthorized_client)"; invalid_grant -> kUnauthorized with
// Google's description; 429 kThrottled; 5xx/transport kTransient (kTls).
std::unique_ptr<TokenProvider> MakeServiceAccountProvider(http::Transport& transport, ServiceAccountKey key,
                                                          std::string subject, std::vector<std::string> scopes,
                                                          std::string ca_file, Clock clock = {},
                                                          TokenKeeper* keeper = nullptr);

// What a service-account token is kept under (TokenKeeper): a SHA-256 of the
// key that signs its grants, the impersonated user and the scopes.
std::string ServiceAccountTokenKey(const ServiceAccountKey& key, const std::string& subject,
                                   const std::vector<std::string>& scopes);

}  // namespace crmsync::auth

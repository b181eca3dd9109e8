// The OAuth client a simulated Gmail tenant's users consent to
// (google.access = "oauth_user"): derived from the tenant's generated
// application credentials, so the config writer and the token endpoint agree.
#pragma once

#include <string>

#include "corpus.hpp"

namespace crmsync::sim {

inline std::string GoogleOAuthClientId(const Tenant& tenant) {
  return tenant.ms_client_id + ".apps.googleusercontent.com";
}
inline std::string GoogleOAuthClientSecret(const Tenant& tenant) { return "GOCSPX-" + tenant.ms_client_secret; }
// Google's consent screen: GET {origin}/o/oauth2/v2/auth.
inline constexpr const char* kGoogleAuthorizePath = "/o/oauth2/v2/auth";

}  // namespace crmsync::sim

// The pieces of an OAuth authorization-code flow with PKCE that the
// simulated identity providers (Microsoft, Salesforce, Google) read and
// answer alike: request arguments, loopback redirects, the S256 challenge and
// the percent-encoding of the redirect's query.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "http_server.hpp"

namespace crmsync::sim {

// The argument `name` of a query or form; "" when absent.
std::string ArgOf(const std::map<std::string, std::string>& args, const char* name);
std::string ArgOf(const std::multimap<std::string, std::string>& args, const char* name);

// The decoded query argument `name` of `request`; "" when absent.
std::string QueryArg(const HttpRequest& request, const char* name);

// Only loopback redirect URIs: the simulator approves without a sign-in page.
bool LoopbackRedirect(std::string_view uri);

// BASE64URL(SHA256(verifier)) without padding: the PKCE S256 code challenge.
std::string Base64UrlSha256(std::string_view text);

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string PercentEncode(std::string_view text);

}  // namespace crmsync::sim

// Small URL helpers shared by the transport and the token providers, built
// on libcurl's URL API so that no caller parses URLs by hand.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmsync::http {

// "host:port" of an absolute URL, the port defaulting to the scheme's
// ("login.microsoftonline.com:443"). Never the path, query or credentials:
// safe for error messages. "<invalid url>" when the URL does not parse.
std::string HostPort(std::string_view url);

// Host of an absolute URL, with ":port" only when the URL spells one out.
// Same safety and fallback as HostPort().
std::string HostForMessages(std::string_view url);

// application/x-www-form-urlencoded body (RFC 3986 percent-encoding of each
// name and value, joined with '&').
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace crmsync::http

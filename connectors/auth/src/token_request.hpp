// The request every OAuth 2.0 grant sends to a token endpoint (RFC 6749
// §4.4, §6, RFC 7523): a form POST that asks for JSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crmsync/http/transport.hpp"

namespace crmsync::auth {

// POST `form` to `token_url`, trusting `ca_file` ("" for the system store);
// `kind` labels the request in metrics and logs.
http::Request TokenRequest(const std::string& token_url, const std::string& ca_file, std::string kind,
                           const std::vector<std::pair<std::string, std::string>>& form);

}  // namespace crmsync::auth

// The authorization-code grant (RFC 6749 §4.1.3, with PKCE, RFC 7636): the
// code a user's browser brought back is exchanged at the token endpoint for
// the first refresh token. Used by `crmsync connect salesforce` and
// `crmsync connect mailbox`; the later refresh grants are the token providers'.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::auth {

struct AuthorizationCodeGrant {
  std::string token_url;
  std::string ca_file;
  std::string kind;              // http::Request::kind, for the transport's counts
  std::string service;           // names the provider in errors: "Salesforce"
  std::string client_id;
  std::string client_secret;
  std::string no_refresh_hint;   // why an answer may lack a refresh token
  // grant_type, code, code_verifier, redirect_uri, client credentials, ...
  std::vector<std::pair<std::string, std::string>> form;
};

// The refresh token the endpoint answers for the code. Failures are mapped
// like every grant's (throttled, transient, kUnauthorized with the OAuth
// error), their messages free of the client secret and the code.
Result<std::string> RedeemAuthorizationCode(http::Transport& transport, const AuthorizationCodeGrant& grant);

}  // namespace crmsync::auth

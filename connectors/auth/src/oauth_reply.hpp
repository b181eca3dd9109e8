// Reading an OAuth 2.0 token endpoint's answer (RFC 6749 §5.1/§5.2), shared by
// the Microsoft and Salesforce flows: the JSON fields both use, and the
// mapping of failures to Status codes with messages free of secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::auth {

struct TokenReply {
  std::string access_token;
  std::optional<std::int64_t> expires_in;  // seconds; number or numeric string
  std::string instance_url;                // Salesforce
  std::string refresh_token;               // Salesforce, only with rotation
  std::string error;                       // OAuth error code, e.g. invalid_grant
  std::string error_description;
};

// Fields of a JSON object body; nullopt when the body is not a JSON object.
std::optional<TokenReply> ParseTokenReply(std::string_view body);

struct GrantContext {
  std::string service;   // "Microsoft identity platform"
  std::string refusal;   // "<service> refused ... of client_id X at HOST"
  std::string host;      // token endpoint, for messages
  std::vector<std::string> secrets;  // removed from any message, whatever the server echoes
};

// Status for an answer that is not a usable token: transport failures keep
// their category (kTls, else kTransient), 429 is kThrottled, 5xx kTransient,
// 400/401 kUnauthorized with the OAuth error and the first line of its
// description, anything else kInvalidArgument naming token_url.
Status GrantFailure(const http::Response& response, const std::optional<TokenReply>& reply,
                    const GrantContext& context);

// A 2xx answer that lacks what the flow needs.
Status MalformedGrant(const GrantContext& context, std::string_view missing);

// Replaces every occurrence of each secret with "[redacted]".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace crmsync::auth

#include "crmsync/auth/authorization_code.hpp"

#include <future>

#include <fmt/format.h>

#include "crmsync/http/url.hpp"
#include "oauth_reply.hpp"
#include "token_request.hpp"

namespace crmsync::auth {

Result<std::string> RedeemAuthorizationCode(http::Transport& transport, const AuthorizationCodeGrant& grant) {
  GrantContext context;
  context.service = grant.service;
  context.host = http::HostForMessages(grant.token_url);
  context.refusal = fmt::format("{} refused the authorization code for client_id {} at {}", grant.service,
                                grant.client_id, context.host);
  context.secrets = {grant.client_secret};
  for (const auto& [name, value] : grant.form) {
    if (name == "code" || name == "code_verifier") context.secrets.push_back(value);
  }
  std::promise<http::Response> answered;
  auto answer = answered.get_future();
  transport.Submit(TokenRequest(grant.token_url, grant.ca_file, grant.kind, grant.form),
                   [&answered](http::Response r) { answered.set_value(std::move(r)); });
  const http::Response response = answer.get();
  std::optional<TokenReply> reply;
  if (response.transport_ok()) reply = ParseTokenReply(response.body);
  if (!response.transport_ok() || response.status < 200 || response.status >= 300) {
    return GrantFailure(response, reply, context);
  }
  if (!reply) return MalformedGrant(context, "a JSON object");
  if (reply->refresh_token.empty()) {
    return Status::Unauthorized(fmt::format("{}: the answer has no refresh_token ({})", context.refusal,
                                            grant.no_refresh_hint));
  }
  return std::move(reply->refresh_token);
}

}  // namespace crmsync::auth

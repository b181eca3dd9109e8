// Asynchronous OAuth token providers. A provider hands out a valid access
// token, fetching one through the Transport when none is cached; concurrent
// callers share one grant. Tokens and secrets never appear in Status messages.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::auth {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct AccessToken {
  std::string value;
  // Salesforce only: the org's REST origin, e.g. https://acme.my.salesforce.com
  std::string instance_url;
};

using TokenCallback = std::function<void(Result<AccessToken>)>;

// An access token kept between processes, and until when it may be used.
struct KeptToken {
  AccessToken token;
  std::int64_t use_until_unix_ms = 0;
};

// Where a provider keeps its tokens between processes, so that a scheduled
// run does not ask again for a token the last run got: for access per user
// (a service account impersonating each user) a grant per user and run is
// most of what an idle run costs. The implementation must keep the tokens
// secret (the engine seals them in its state). Thread-safe.
class TokenKeeper {
 public:
  virtual ~TokenKeeper() = default;
  virtual std::optional<KeptToken> Load(const std::string& key) = 0;
  virtual void Keep(const std::string& key, const KeptToken& token) = 0;
};

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // Calls `done` exactly once with a token that is not known to be expired:
  // synchronously when cached, otherwise on the transport thread after the
  // grant. Never blocks.
  virtual void Get(TokenCallback done) = 0;
  // `stale` was refused by the resource server (401): drop it if it is still
  // the cached token, so the next Get() fetches a fresh one.
  virtual void Invalidate(const std::string& stale) = 0;
  // Number of token grants performed (successful or not).
  virtual std::uint64_t grants() const = 0;
};

// Microsoft identity platform, client-credentials grant (application access).
struct ClientCredentialsConfig {
  std::string token_url;      // https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token
  std::string client_id;
  std::string client_secret;
  std::string scope = "https://graph.microsoft.com/.default";
  std::string ca_file;
  // Refresh this long before expires_in runs out.
  std::chrono::seconds refresh_margin{300};
};

// With a keeper, the application token is kept between processes (TokenKeeper).
std::unique_ptr<TokenProvider> MakeClientCredentialsProvider(http::Transport& transport,
                                                              ClientCredentialsConfig config,
                                                              Clock clock = {}, TokenKeeper* keeper = nullptr);

// Salesforce OAuth refresh-token grant (the service account's refresh token).
// Salesforce sends no expires_in: the session is kept until a 401 invalidates it.
struct SalesforceRefreshConfig {
  std::string token_url;      // https://login.salesforce.com/services/oauth2/token
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string ca_file;
  // Refresh-token rotation: called with the new refresh token on the
  // transport thread BEFORE the access token of that grant is handed out, so
  // it can be stored durably first. An error fails the grant: a token that
  // could not be kept must not be relied on.
  std::function<Status(const std::string& new_refresh_token)> on_rotated;
  // Vets the instance_url of every grant (the Salesforce host allowlist); an
  // error fails the grant and no request is sent to that host.
  std::function<Status(std::string_view instance_url)> check_instance_url;
};

std::unique_ptr<TokenProvider> MakeSalesforceRefreshProvider(http::Transport& transport,
                                                              SalesforceRefreshConfig config);

// OAuth 2.0 refresh-token grant for one user's delegated consent (Microsoft
// identity platform v2.0, Google's token endpoint): form-encoded
// grant_type=refresh_token with the application's client id and secret.
// The access token is kept for expires_in (less `refresh_margin`). When the
// answer carries a new refresh token (rotation), `on_rotated` is called with
// it on the transport thread BEFORE the access token is handed out, so it is
// stored durably first; the provider itself uses it for the next grant.
struct RefreshTokenConfig {
  std::string service = "Microsoft identity platform";   // names the endpoint in messages
  std::string token_url;
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string scope;          // empty: not sent (the consent's scopes)
  std::string subject;        // whose grant this is (a user address), for messages
  std::string ca_file;
  std::chrono::seconds refresh_margin{300};
  std::function<Status(const std::string& new_refresh_token)> on_rotated;
};

std::unique_ptr<TokenProvider> MakeRefreshTokenProvider(http::Transport& transport, RefreshTokenConfig config,
                                                         Clock clock = {});

}  // namespace crmsync::auth

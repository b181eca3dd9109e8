// `crmsync connect mailbox`: records one user's own consent to read their
// mailbox (tenants with microsoft.access = "delegated" or google.access =
// "oauth_user"). Either the OAuth
// authorization-code flow (authorize URL printed for the user, the code
// received on a loopback redirect http://127.0.0.1:PORT/, PKCE S256,
// exchanged at the token endpoint) or headless with --refresh-token-file.
// The token is tested with a real refresh grant (Graph /me or Gmail's
// profile of "me" with the access token: the grant must belong to that user), and the refresh token in force
// afterwards (the rotated one, when the grant rotated it) is stored sealed
// with the tenant and the user as associated data. The user turns active at
// the next run.
#include <algorithm>
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "crmsync/auth/authorization_code.hpp"
#include "connect_support.hpp"
#include "crmsync/engine/mailbox_grants.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "crmsync/graph/mail_source.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/http/url.hpp"
#include "crmsync/state/store.hpp"
#include "oauth_loopback.hpp"

namespace crmsync::tools {
namespace {

struct ConnectMailboxFlags {
  std::string config_path, state_dir, tenant, user, refresh_token_file, url_file;
  bool refresh = false;
  int timeout_seconds = 300;
  int redirect_port = 0;
};

// Where a tenant's users consent and what they consent to.
struct ConsentEndpoints {
  std::string service;         // names the provider in messages
  std::string authorize_url, token_url, client_id, client_secret, scope, ca_file;
  // Parameters of the authorize URL beyond the common ones.
  std::vector<std::pair<std::string, std::string>> authorize_extra;
  bool scope_at_exchange = false;   // Microsoft wants the scope again at the code exchange
};

ConsentEndpoints EndpointsOf(const engine::TenantConfig& tenant) {
  ConsentEndpoints e;
  if (tenant.provider == engine::MailProvider::kGoogle) {
    e.service = "Google";
    e.authorize_url = tenant.google.auth_url;
    e.token_url = tenant.google.token_url;
    e.client_id = tenant.google.client_id;
    e.client_secret = tenant.google.client_secret;
    e.scope = engine::kGoogleOAuthUserScopes;
    e.ca_file = tenant.google.ca_file;
    // Without offline access and a forced consent Google may omit the refresh token.
    e.authorize_extra = {{"access_type", "offline"}, {"prompt", "consent"}};
    return e;
  }
  std::string login_url = tenant.microsoft.login_url;
  while (!login_url.empty() && login_url.back() == '/') login_url.pop_back();
  const std::string endpoint = fmt::format("{}/{}/oauth2/v2.0/", login_url, tenant.microsoft.tenant_id);
  e.service = "Microsoft";
  e.authorize_url = endpoint + "authorize";
  e.token_url = endpoint + "token";
  e.client_id = tenant.microsoft.client_id;
  e.client_secret = tenant.microsoft.client_secret;
  e.scope = engine::kMicrosoftDelegatedScopes;
  e.ca_file = tenant.microsoft.ca_file;
  e.authorize_extra = {{"response_mode", "query"}};
  e.scope_at_exchange = true;
  return e;
}

// The user's consent in a browser: the provider's authorize endpoint, the code
// on a loopback redirect, its exchange (PKCE S256) for the first refresh token.
Result<std::string> AuthorizationCodeFlow(const engine::TenantConfig& tenant, const std::string& address,
                                          const ConnectMailboxFlags& flags, http::Transport& transport) {
  const ConsentEndpoints endpoints = EndpointsOf(tenant);
  auto redirect = LoopbackRedirect::Listen(flags.redirect_port, "/");
  if (!redirect.ok()) return redirect.status();
  auto pkce = NewPkce();
  if (!pkce.ok()) return pkce.status();
  const std::string redirect_uri = redirect.value()->redirect_uri();
  std::vector<std::pair<std::string, std::string>> query = {{"client_id", endpoints.client_id},
                                                             {"response_type", "code"},
                                                             {"redirect_uri", redirect_uri},
                                                             {"scope", endpoints.scope},
                                                             {"state", pkce->state},
                                                             {"login_hint", address},
                                                             {"code_challenge", pkce->challenge},
                                                             {"code_challenge_method", "S256"}};
  query.insert(query.end(), endpoints.authorize_extra.begin(), endpoints.authorize_extra.end());
  const std::string url = endpoints.authorize_url + "?" + http::FormEncode(query);
  std::cout << "Have " << address << " open this URL in a browser and allow crmsync to read their mailbox:\n  " << url
            << "\nWaiting for the redirect to " << redirect_uri << " ...\n"
            << std::flush;
  WriteUrlFile(flags.url_file, url);
  auto code = redirect.value()->WaitForCode(pkce->state, std::chrono::seconds(flags.timeout_seconds), endpoints.service);
  if (!code.ok()) return code.status();

  auth::AuthorizationCodeGrant grant{.token_url = endpoints.token_url,
                            .ca_file = endpoints.ca_file,
                            .kind = "auth.user_code",
                            .service = endpoints.service,
                            .client_id = endpoints.client_id,
                            .client_secret = endpoints.client_secret,
                            .no_refresh_hint = "was offline access granted?",
                            .form = {{"client_id", endpoints.client_id},
                                     {"client_secret", endpoints.client_secret},
                                     {"grant_type", "authorization_code"},
                                     {"code", code.value()},
                                     {"redirect_uri", redirect_uri},
                                     {"code_verifier", pkce->verifier}}};
  if (endpoints.scope_at_exchange) grant.form.emplace_back("scope", endpoints.scope);
  return auth::RedeemAuthorizationCode(transport, grant);
}

// Whose mailbox the grant opens: Graph /me, or Gmail's profile of "me".
Result<MailUser> SignedInUser(const engine::TenantConfig& tenant, http::Transport& transport,
                              std::chrono::milliseconds timeout, auth::TokenProvider& tokens) {
  if (tenant.provider == engine::MailProvider::kGoogle) {
    auto address = gmail::GmailProfileAddress(transport, tenant.google.api_url, tenant.google.ca_file, timeout, tokens);
    if (!address.ok()) return address.status();
    MailUser user;
    user.primary = engine::AsciiLower(address.value());
    user.aliases = {user.primary};
    return user;
  }
  graph::GraphClientOptions options;
  options.graph_url = tenant.microsoft.graph_url;
  while (!options.graph_url.empty() && options.graph_url.back() == '/') options.graph_url.pop_back();
  options.ca_file = tenant.microsoft.ca_file;
  options.timeout = timeout;
  graph::GraphMailSource source(transport, tokens, options);
  return source.SignedInUser(tokens);
}

int ConnectMailbox(const ConnectMailboxFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  const engine::TenantConfig* tenant = FindTenantOrReport(*config, flags.tenant, flags.config_path);
  if (tenant == nullptr) return engine::kExitUsage;
  if (!engine::UsesDelegatedMail(*tenant)) {
    std::cerr << "crmsync: tenant " << tenant->id << " does not use per-user mailbox access (set "
              << "[tenants.microsoft] access = \"delegated\" or [tenants.google] access = \"oauth_user\")\n";
    return engine::kExitUsage;
  }
  const std::string address = engine::AsciiLower(flags.user);
  if (std::find(tenant->users.list.begin(), tenant->users.list.end(), address) == tenant->users.list.end()) {
    std::cerr << "crmsync: --user " << flags.user << " is not in tenant " << tenant->id << "'s users.list\n";
    return engine::kExitUsage;
  }
  std::string refresh_token;
  if (!flags.refresh_token_file.empty()) {
    auto from_file = ReadRefreshTokenFile(flags.refresh_token_file);
    if (!from_file) return engine::kExitUsage;
    refresh_token = std::move(*from_file);
  }

  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto sealed = OpenSealedState(state_dir);
  if (!sealed) return engine::kExitFailure;
  auto existing = sealed->store->GetSecret(tenant->id, engine::MailboxGrantKind(address));
  if (existing.ok() && existing.value() && !flags.refresh) {
    std::cerr << "crmsync: " << address << " of tenant " << tenant->id << " already has a mailbox authorization; "
              << "use --refresh to replace it\n";
    return engine::kExitUsage;
  }

  http::CurlMultiTransport transport;
  if (refresh_token.empty()) {
    auto consented = AuthorizationCodeFlow(*tenant, address, flags, transport);
    if (!consented.ok()) {
      std::cerr << "crmsync: tenant " << tenant->id << ": mailbox of " << address
                << " not connected: " << consented.status().message() << "\n";
      return engine::kExitFailure;
    }
    refresh_token = std::move(consented.value());
  }
  // A rotation during the test grant voids the token given: the rotated one
  // is what gets stored, once the grant proved to be this user's (a grant of
  // another user must never replace this user's recorded one).
  auto on_rotated = [&](const std::string& rotated) -> Status {
    refresh_token = rotated;
    return Status::Ok();
  };
  auto tokens = engine::MakeMailboxTokenProvider(transport, *tenant, address, refresh_token, on_rotated);
  auto me = SignedInUser(*tenant, transport, std::chrono::seconds(config->engine.request_timeout_seconds), *tokens);
  if (!me.ok()) {
    std::cerr << "crmsync: tenant " << tenant->id << ": mailbox of " << address
              << " not connected: " << me.status().message() << "\n";
    return engine::kExitFailure;
  }
  const bool same_user = me->primary == address ||
                         std::find(me->aliases.begin(), me->aliases.end(), address) != me->aliases.end();
  if (!same_user) {
    std::cerr << "crmsync: tenant " << tenant->id << ": the authorization belongs to " << me->primary << ", not to "
              << address << "; not stored\n";
    return engine::kExitFailure;
  }
  Status stored = engine::StoreMailboxGrant(*sealed->store, sealed->box, tenant->id, address, refresh_token);
  if (!stored.ok()) {
    std::cerr << "crmsync: cannot store the mailbox authorization: " << stored.message() << "\n";
    return engine::kExitFailure;
  }
  std::cout << fmt::format("tenant {}: mailbox of {} Connected; its authorization is stored sealed in {}. "
                           "The user is active from the next run.\n",
                           tenant->id, address, state_dir);
  return engine::kExitComplete;
}

}  // namespace

void AddConnectMailboxCommand(CLI::App& connect, Commands& commands) {
  auto flags = std::make_shared<ConnectMailboxFlags>();
  CLI::App* mailbox = connect.add_subcommand(
      "mailbox", "Record one user's own authorization to read their mailbox (microsoft.access = \"delegated\", "
      "google.access = \"oauth_user\")");
  mailbox->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  mailbox->add_option("--tenant", flags->tenant, "Tenant id")->required();
  mailbox->add_option("--user", flags->user, "The user's address, as listed in users.list")->required();
  mailbox->add_option("--state", flags->state_dir, "State directory");
  mailbox->add_flag("--refresh", flags->refresh, "Replace a stored authorization (after it expired or was revoked)");
  mailbox->add_option("--refresh-token-file", flags->refresh_token_file,
                      "Headless: the user's refresh token (Microsoft: offline_access Mail.Read Calendars.Read User.Read; "
                      "Google: gmail.readonly calendar.readonly, access_type=offline)");
  mailbox->add_option("--url-file", flags->url_file, "Also write the authorize URL to this file (for scripts)");
  mailbox->add_option("--timeout", flags->timeout_seconds, "Seconds to wait for the browser redirect")
      ->check(CLI::Range(1, 3600));
  mailbox->add_option("--redirect-port", flags->redirect_port, "Loopback port of the redirect (0: any free port)")
      ->check(CLI::Range(0, 65535));
  commands.push_back({mailbox, [flags] { return ConnectMailbox(*flags); }});
}

}  // namespace crmsync::tools

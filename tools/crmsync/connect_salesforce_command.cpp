// `crmsync connect salesforce`: connects a tenant's Salesforce service
// account once. Either the OAuth web-server flow (authorize URL printed, the
// code received on a loopback redirect, PKCE S256, exchanged for a refresh
// token) or headless with --refresh-token-file. The refresh token is tested
// with a real grant and stored sealed; the next run resumes suspended users.
#include <chrono>
#include <future>
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "connect_support.hpp"
#include "crmsync/auth/authorization_code.hpp"
#include "crmsync/auth/token_provider.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/secrets.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/http/url.hpp"
#include "crmsync/salesforce/host_allowlist.hpp"
#include "crmsync/state/store.hpp"
#include "oauth_loopback.hpp"

namespace crmsync::tools {
namespace {

constexpr const char* kSandboxLogin = "https://test.salesforce.com";

struct ConnectSalesforceFlags {
  std::string config_path, state_dir, tenant, user, refresh_token_file, url_file;
  bool sandbox = false, refresh = false;
  int timeout_seconds = 300;
  int redirect_port = 0;
};

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<std::string> WebServerFlow(const engine::TenantConfig& tenant, const std::string& login_url,
                                  const ConnectSalesforceFlags& flags, http::Transport& transport) {
  auto redirect = LoopbackRedirect::Listen(flags.redirect_port, "/callback");
  if (!redirect.ok()) return redirect.status();
  auto pkce = NewPkce();
  if (!pkce.ok()) return pkce.status();
  const std::string redirect_uri = redirect.value()->redirect_uri();
  const std::string url = fmt::format(
      "{}/services/oauth2/authorize?{}", login_url,
      http::FormEncode({{"response_type", "code"},
                        {"client_id", tenant.salesforce.client_id},
                        {"redirect_uri", redirect_uri},
                        {"state", pkce->state},
                        {"code_challenge", pkce->challenge},
                        {"code_challenge_method", "S256"},
                        {"scope", "api refresh_token"}}));
  std::cout << "Open this URL in a browser and approve crmsync as "
            << (flags.user.empty() ? std::string("the Salesforce service account") : "the Salesforce user of " + flags.user)
            << ":\n  " << url
            << "\nWaiting for the redirect to " << redirect_uri << " ...\n"
            << std::flush;
  WriteUrlFile(flags.url_file, url);
  auto code = redirect.value()->WaitForCode(pkce->state, std::chrono::seconds(flags.timeout_seconds), "Salesforce");
  if (!code.ok()) return code.status();

  return auth::RedeemAuthorizationCode(
      transport, auth::AuthorizationCodeGrant{
                     .token_url = login_url + "/services/oauth2/token",
                     .ca_file = tenant.salesforce.ca_file,
                     .kind = "auth.sf_code",
                     .service = "Salesforce",
                     .client_id = tenant.salesforce.client_id,
                     .client_secret = tenant.salesforce.client_secret,
                     .no_refresh_hint = "is the refresh_token scope granted to the connected app?",
                     .form = {{"grant_type", "authorization_code"},
                                            {"code", code.value()},
                                            {"client_id", tenant.salesforce.client_id},
                                            {"client_secret", tenant.salesforce.client_secret},
                                            {"redirect_uri", redirect_uri},
                                            {"code_verifier", pkce->verifier}},
                               });
}

// A real refresh grant with the token; the answer's instance_url must be a
// Salesforce host. With refresh-token rotation the grant voids `refresh_token`
// and answers a new one, which replaces it (found by tools/crashtest: storing
// the voided token made the connection fail at the next run).
Status TestRefreshToken(const engine::TenantConfig& tenant, const std::string& login_url,
                        std::string& refresh_token, http::Transport& transport, std::string& instance_url) {
  auth::SalesforceRefreshConfig config;
  config.token_url = login_url + "/services/oauth2/token";
  config.client_id = tenant.salesforce.client_id;
  config.client_secret = tenant.salesforce.client_secret;
  config.refresh_token = refresh_token;
  config.ca_file = tenant.salesforce.ca_file;
  config.check_instance_url = [allow = tenant.salesforce.allow_loopback](std::string_view url) {
    return salesforce::CheckSalesforceUrl(url, allow);
  };
  config.on_rotated = [&refresh_token](const std::string& rotated) {
    refresh_token = rotated;
    return Status::Ok();
  };
  auto provider = auth::MakeSalesforceRefreshProvider(transport, config);
  std::promise<Result<auth::AccessToken>> granted;
  auto token = granted.get_future();
  provider->Get([&granted](Result<auth::AccessToken> t) { granted.set_value(std::move(t)); });
  auto result = token.get();
  if (!result.ok()) return result.status();
  instance_url = result.value().instance_url;
  return Status::Ok();
}

int ConnectSalesforce(const ConnectSalesforceFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  const engine::TenantConfig* tenant = FindTenantOrReport(*config, flags.tenant, flags.config_path);
  if (tenant == nullptr) return engine::kExitUsage;
  const bool per_user = tenant->authorization == engine::Authorization::kPerUser;
  if (per_user && flags.user.empty()) {
    std::cerr << "crmsync: tenant " << tenant->id << " has authorization = \"per_user\": each user connects their "
              << "own Salesforce account with --user ADDRESS (there is no service account to connect)\n";
    return engine::kExitUsage;
  }
  if (!per_user && !flags.user.empty()) {
    std::cerr << "crmsync: --user needs authorization = \"per_user\"; tenant " << tenant->id
              << " writes with one service account (connect it without --user)\n";
    return engine::kExitUsage;
  }
  if (per_user && (flags.user.find('@') == std::string::npos || flags.user.find_first_of(" \t\r\n") != std::string::npos)) {
    std::cerr << "crmsync: --user " << flags.user << " is not a mail address\n";
    return engine::kExitUsage;
  }
  // The secret's kind names the user: sealed with tenant and user as associated data.
  const std::string kind = per_user ? engine::SalesforceUserRefreshSecret(flags.user) : engine::kSalesforceRefreshSecret;
  const std::string who = per_user ? fmt::format("tenant {} user {}", tenant->id, flags.user) : "tenant " + tenant->id;
  const std::string login_url = flags.sandbox ? kSandboxLogin : TrimSlash(tenant->salesforce.login_url);
  if (Status host = salesforce::CheckSalesforceUrl(login_url, tenant->salesforce.allow_loopback); !host.ok()) {
    std::cerr << "crmsync: login URL: " << host.message() << "\n";
    return engine::kExitUsage;
  }
  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto sealed = OpenSealedState(state_dir);
  if (!sealed) return engine::kExitFailure;
  auto existing = sealed->store->GetSecret(tenant->id, kind);
  if (existing.ok() && existing.value() && !flags.refresh) {
    std::cerr << "crmsync: " << who << " is already connected to Salesforce; "
              << "use --refresh to replace its refresh token\n";
    return engine::kExitUsage;
  }

  http::CurlMultiTransport transport;
  std::string refresh_token;
  if (!flags.refresh_token_file.empty()) {
    auto from_file = ReadRefreshTokenFile(flags.refresh_token_file);
    if (!from_file) return engine::kExitUsage;
    refresh_token = std::move(*from_file);
  } else {
    auto flowed = WebServerFlow(*tenant, login_url, flags, transport);
    if (!flowed.ok()) {
      std::cerr << "crmsync: " << who << ": Salesforce not connected: " << flowed.status().message()
                << "\n";
      return engine::kExitFailure;
    }
    refresh_token = std::move(flowed.value());
  }
  std::string instance_url;
  Status tested = TestRefreshToken(*tenant, login_url, refresh_token, transport, instance_url);
  if (!tested.ok()) {
    std::cerr << "crmsync: " << who << ": Salesforce not connected: " << tested.message() << "\n";
    return engine::kExitFailure;
  }
  Status stored = engine::StoreSealedSecret(*sealed->store, sealed->box, tenant->id, kind, refresh_token);
  if (!stored.ok()) {
    std::cerr << "crmsync: cannot store the refresh token: " << stored.message() << "\n";
    return engine::kExitFailure;
  }
  if (per_user) {
    std::cout << fmt::format("{}: Salesforce Connected (instance {}); the refresh token is stored sealed in {}. "
                             "The user becomes active at the next run.\n",
                             who, instance_url, state_dir);
    return engine::kExitComplete;
  }
  auto connection = sealed->store->GetTenantState(tenant->id);
  if (connection.ok()) {
    connection.value().crm.status = "connected";
    connection.value().crm.last_error.clear();
    connection.value().crm.last_success_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    (void)sealed->store->PutTenantState(tenant->id, connection.value());
  }
  std::cout << fmt::format("tenant {}: Salesforce Connected (instance {}); the refresh token is stored sealed in {}. "
                           "Suspended users resume at the next run.\n",
                           tenant->id, instance_url, state_dir);
  return engine::kExitComplete;
}

}  // namespace

void AddConnectSalesforceCommand(CLI::App& connect, Commands& commands) {
  auto flags = std::make_shared<ConnectSalesforceFlags>();
  CLI::App* sf = connect.add_subcommand(
      "salesforce", "Authorize the tenant's Salesforce service account (OAuth web-server flow or a refresh token file)");
  sf->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  sf->add_option("--tenant", flags->tenant, "Tenant id")->required();
  sf->add_option("--user", flags->user,
                 "authorization = \"per_user\": the mailbox address whose own Salesforce authorization is recorded");
  sf->add_option("--state", flags->state_dir, "State directory");
  sf->add_flag("--sandbox", flags->sandbox, "Log in at the sandbox host https://test.salesforce.com");
  sf->add_flag("--refresh", flags->refresh, "Replace a stored refresh token (after it expired or was revoked)");
  sf->add_option("--refresh-token-file", flags->refresh_token_file,
                 "Headless: read the refresh token from this file instead of the browser flow");
  sf->add_option("--url-file", flags->url_file, "Also write the authorize URL to this file (for scripts)");
  sf->add_option("--timeout", flags->timeout_seconds, "Seconds to wait for the browser redirect")
      ->check(CLI::Range(1, 3600));
  sf->add_option("--redirect-port", flags->redirect_port, "Loopback port of the redirect (0: any free port)")
      ->check(CLI::Range(0, 65535));
  commands.push_back({sf, [flags] { return ConnectSalesforce(*flags); }});
}

}  // namespace crmsync::tools

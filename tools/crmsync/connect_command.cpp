#include "connect_command.hpp"
#include "command.hpp"

#include <future>
#include <iostream>

#include <fmt/format.h>

#include "crmsync/auth/service_account.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/master_key.hpp"
#include "crmsync/engine/secrets.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

// The token exchange's failure in words an administrator can act on.
std::string Explain(const Status& status, const auth::ServiceAccountKey& key, const std::string& user) {
  const std::string& m = status.message();
  if (m.find("unauthorized_client") != std::string::npos) {
    return fmt::format(
        "domain-wide delegation is not granted: in the Google Admin console (Security > API controls > "
        "Domain-wide delegation) authorize Client ID {} for the requested scopes ({})",
        key.client_id, m);
  }
  if (m.find("Invalid JWT Signature") != std::string::npos) {
    return fmt::format("Google refused the key's signature: the key file is not a current key of {} "
                       "(deleted or replaced?) ({})",
                       key.client_email, m);
  }
  if (m.find("Invalid email or User ID") != std::string::npos || m.find("invalid_grant") != std::string::npos) {
    return fmt::format("the token exchange for {} was refused: is {} a user of the domain? ({})", user, user, m);
  }
  return status.ToString();
}

}  // namespace

int ConnectGoogle(const engine::Config& config, const ConnectGoogleOptions& options) {
  const engine::TenantConfig* tenant = nullptr;
  for (const auto& t : config.tenants) {
    if (t.id == options.tenant) tenant = &t;
  }
  if (tenant == nullptr) {
    std::cerr << fmt::format("crmsync: {}: no tenant '{}'\n", config.path, options.tenant);
    return engine::kExitUsage;
  }
  if (tenant->provider != engine::MailProvider::kGoogle) {
    std::cerr << fmt::format("crmsync: {}: tenant '{}' has no [tenants.google] table\n", config.path,
                             options.tenant);
    return engine::kExitUsage;
  }
  auto json = engine::ReadKeyFile(options.key_file);
  if (!json.ok()) {
    std::cerr << "crmsync: " << json.status().message() << "\n";
    return engine::kExitUsage;
  }
  auto key = auth::ParseServiceAccountKey(json.value());
  if (!key.ok()) {
    std::cerr << fmt::format("crmsync: {} is not a usable service-account key: {}\n", options.key_file,
                             key.status().message());
    return engine::kExitUsage;
  }
  std::cout << fmt::format("Project ID:     {}\nClient ID:      {}\nClient email:   {}\n", key->project_id,
                           key->client_id, key->client_email);

  const std::string user = options.user.empty() ? tenant->google.admin_email : options.user;
  std::vector<std::string> scopes = tenant->google.scopes;
  if (scopes.empty()) scopes = auth::DefaultWorkspaceScopes();
  Result<auth::AccessToken> token = Status::Transient("no answer");
  {
    http::CurlMultiTransport transport;
    auto provider = auth::MakeServiceAccountProvider(transport, key.value(), user, scopes, tenant->google.ca_file);
    std::promise<Result<auth::AccessToken>> promise;
    auto future = promise.get_future();
    provider->Get([&promise](Result<auth::AccessToken> t) { promise.set_value(std::move(t)); });
    token = future.get();
  }
  if (!token.ok()) {
    std::cout << fmt::format("Connection:     Disconnected ({})\n", Explain(token.status(), key.value(), user));
    return engine::kExitFailure;
  }
  std::cout << fmt::format("Connection:     Connected (token exchange for {} succeeded)\n", user);

  auto store = state::Store::Open(options.state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto box = LoadSecretBox(options.state_dir, true);
  if (!box.ok()) {
    std::cerr << "crmsync: " << box.status().message() << "\n";
    return engine::kExitFailure;
  }
  Status stored =
      engine::StoreSealedSecret(*store.value(), *box.value(), tenant->id, engine::kGoogleKeySecret, json.value());
  if (!stored.ok()) {
    std::cerr << "crmsync: cannot store the key: " << stored.message() << "\n";
    return engine::kExitFailure;
  }
  std::cout << fmt::format("Key:            stored sealed in {} (master key: {})\n", options.state_dir,
                           engine::LocateMasterKey(options.state_dir).Describe());
  return engine::kExitComplete;
}

void AddConnectCommands(CLI::App& root, Commands& commands) {
  CLI::App* connect = root.add_subcommand("connect", "Connect an organization's mail system or Salesforce once");
  connect->require_subcommand(1);
  struct Flags {
    std::string config_path, state_dir;
    ConnectGoogleOptions google;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* google = connect->add_subcommand(
      "google", "Validate a Google service-account key, test domain-wide delegation, store the key sealed");
  google->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  google->add_option("--tenant", flags->google.tenant, "Tenant id (a [[tenants]] with a google table)")->required();
  google->add_option("--key-file", flags->google.key_file, "The service account's JSON key file")->required();
  google->add_option("--user", flags->google.user, "User to test the token exchange with (default: admin_email)");
  google->add_option("--state", flags->state_dir, "State directory");
  commands.push_back({google, [flags] {
                        auto config = LoadConfigOrReport(flags->config_path);
                        if (!config) return engine::kExitUsage;
                        flags->google.state_dir = StateDir(flags->state_dir, *config);
                        return ConnectGoogle(*config, flags->google);
                      }});
  AddConnectSalesforceCommand(*connect, commands);
  AddConnectMailboxCommand(*connect, commands);
}

}  // namespace crmsync::tools

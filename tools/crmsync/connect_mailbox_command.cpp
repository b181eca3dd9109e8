// `crmsync connect mailbox`: records one user's own consent to read their
// mailbox (tenants with microsoft.access = "delegated"). Headless with
// --refresh-token-file: the token is tested with a real refresh grant (Graph
// /me with the access token: the grant must belong to that user), and the
// refresh token in force afterwards (the rotated one, when the grant rotated
// it) is stored sealed with the tenant and the user as associated data. The
// user turns active at the next run.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "command.hpp"
#include "crmsync/engine/mailbox_grants.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/graph/mail_source.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

struct ConnectMailboxFlags {
  std::string config_path, state_dir, tenant, user, refresh_token_file;
  bool refresh = false;
};

std::string TrimSpace(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

int ConnectMailbox(const ConnectMailboxFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  const engine::TenantConfig* tenant = nullptr;
  for (const auto& t : config->tenants) {
    if (t.id == flags.tenant) tenant = &t;
  }
  if (tenant == nullptr) {
    std::cerr << "crmsync: --tenant " << flags.tenant << " is not a tenant of " << flags.config_path << "\n";
    return engine::kExitUsage;
  }
  if (!engine::UsesDelegatedMail(*tenant)) {
    std::cerr << "crmsync: tenant " << tenant->id << " does not use per-user mailbox access (set "
              << "[tenants.microsoft] access = \"delegated\")\n";
    return engine::kExitUsage;
  }
  const std::string address = engine::AsciiLower(flags.user);
  if (std::find(tenant->users.list.begin(), tenant->users.list.end(), address) == tenant->users.list.end()) {
    std::cerr << "crmsync: --user " << flags.user << " is not in tenant " << tenant->id << "'s users.list\n";
    return engine::kExitUsage;
  }
  if (flags.refresh_token_file.empty()) {
    std::cerr << "crmsync: --refresh-token-file is required (the browser flow is not built yet)\n";
    return engine::kExitUsage;
  }
  std::ifstream in(flags.refresh_token_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "crmsync: cannot read " << flags.refresh_token_file << "\n";
    return engine::kExitUsage;
  }
  std::string refresh_token = TrimSpace(text.str());
  if (refresh_token.empty()) {
    std::cerr << "crmsync: " << flags.refresh_token_file << " holds no refresh token\n";
    return engine::kExitUsage;
  }

  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto box = LoadSecretBox(state_dir, true);
  if (!box.ok() || !box.value()) {
    std::cerr << "crmsync: " << (box.ok() ? "no master key" : box.status().message()) << "\n";
    return engine::kExitFailure;
  }
  auto existing = store.value()->GetSecret(tenant->id, engine::MailboxGrantKind(address));
  if (existing.ok() && existing.value() && !flags.refresh) {
    std::cerr << "crmsync: " << address << " of tenant " << tenant->id << " already has a mailbox authorization; "
              << "use --refresh to replace it\n";
    return engine::kExitUsage;
  }

  http::CurlMultiTransport transport;
  // A rotation during the test grant voids the token given: the rotated one
  // is what gets stored, sealed, before the grant is used.
  auto on_rotated = [&](const std::string& rotated) -> Status {
    refresh_token = rotated;
    return engine::StoreMailboxGrant(*store.value(), *box.value(), tenant->id, address, rotated);
  };
  auto tokens = engine::MakeMailboxTokenProvider(transport, *tenant, address, refresh_token, on_rotated);
  graph::GraphClientOptions options;
  options.graph_url = tenant->microsoft.graph_url;
  while (!options.graph_url.empty() && options.graph_url.back() == '/') options.graph_url.pop_back();
  options.ca_file = tenant->microsoft.ca_file;
  options.timeout = std::chrono::seconds(config->engine.request_timeout_seconds);
  graph::GraphMailSource source(transport, *tokens, options);
  auto me = source.SignedInUser(*tokens);
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
  Status stored = engine::StoreMailboxGrant(*store.value(), *box.value(), tenant->id, address, refresh_token);
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
      "mailbox", "Record one user's own authorization to read their mailbox (microsoft.access = \"delegated\")");
  mailbox->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  mailbox->add_option("--tenant", flags->tenant, "Tenant id")->required();
  mailbox->add_option("--user", flags->user, "The user's address, as listed in users.list")->required();
  mailbox->add_option("--state", flags->state_dir, "State directory");
  mailbox->add_flag("--refresh", flags->refresh, "Replace a stored authorization (after it expired or was revoked)");
  mailbox->add_option("--refresh-token-file", flags->refresh_token_file,
                      "Headless: the user's refresh token (scopes offline_access Mail.Read Calendars.Read User.Read)");
  commands.push_back({mailbox, [flags] { return ConnectMailbox(*flags); }});
}

}  // namespace crmsync::tools

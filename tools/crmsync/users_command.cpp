// `crmsync users activate`: records a user's first logon for tenants whose
// activation is "first_logon" (the user turns active at the next run).
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

struct ActivateFlags {
  std::string config_path, state_dir, tenant, user;
};

int Activate(const ActivateFlags& flags) {
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
  auto store = state::Store::Open(StateDir(flags.state_dir, *config));
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto recorded = engine::RecordFirstLogon(*store.value(), tenant->id, flags.user);
  if (!recorded.ok()) {
    std::cerr << "crmsync: " << recorded.status().message() << "\n";
    return engine::kExitFailure;
  }
  if (recorded.value()) {
    std::cout << fmt::format("tenant {}: first logon of {} recorded; active from the next run\n", tenant->id,
                             flags.user);
    return engine::kExitComplete;
  }
  std::cerr << fmt::format("crmsync: tenant {} has no user {} (users are known after the first run reads the "
                           "directory; `crmsync status --tenant {}` lists them)\n",
                           tenant->id, flags.user, tenant->id);
  return engine::kExitUsage;
}

}  // namespace

void AddUsersCommands(CLI::App& root, Commands& commands) {
  CLI::App* users = root.add_subcommand("users", "Per-user lifecycle");
  users->require_subcommand(1);
  auto flags = std::make_shared<ActivateFlags>();
  CLI::App* activate =
      users->add_subcommand("activate", "Record a user's first logon (tenants with activation = \"first_logon\")");
  activate->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  activate->add_option("--tenant", flags->tenant, "Tenant id")->required();
  activate->add_option("--user", flags->user, "The user's address (any alias) or mail-system id")->required();
  activate->add_option("--state", flags->state_dir, "State directory");
  commands.push_back({activate, [flags] { return Activate(*flags); }});
}

}  // namespace crmsync::tools

// `crmsync retry --quarantined [--tenant T]`: sends the records Salesforce
// refused permanently again, once the administrator fixed the cause
// (validation rule, sharing, a deleted Contact). See engine/quarantine.hpp.
#include <iostream>

#include "command.hpp"
#include "crmsync/engine/quarantine.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

struct RetryFlags {
  std::string config_path, state_dir, tenant;
  bool quarantined = false;
};

int RetryCommand(const RetryFlags& flags) {
  if (!flags.quarantined) {
    std::cerr << "crmsync: retry needs --quarantined (the only kind of retry there is)\n";
    return engine::kExitUsage;
  }
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto opened = OpenEngineState(state_dir, 0);
  if (!opened) return engine::kExitFailure;
  state::Store& store = *opened->store;
  engine::RunOptions options;
  options.secrets = opened->box();
  options.state_dir = state_dir;
  http::CurlMultiTransport transport;
  const engine::QuarantineRetryReport report =
      engine::RetryQuarantined(*config, options, transport, store, flags.tenant);
  std::cout << report.ToText() << std::flush;
  return report.exit_code;
}

}  // namespace

void AddRetryCommand(CLI::App& root, Commands& commands) {
  auto flags = std::make_shared<RetryFlags>();
  CLI::App* retry = root.add_subcommand("retry", "Send quarantined records to Salesforce again");
  retry->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  retry->add_option("--state", flags->state_dir, "State directory (default: engine.state_dir or ./crmsync-state)");
  retry->add_flag("--quarantined", flags->quarantined, "Retry the records in the quarantine");
  retry->add_option("--tenant", flags->tenant, "Only this tenant");
  commands.push_back({retry, [flags] { return RetryCommand(*flags); }});
}

}  // namespace crmsync::tools

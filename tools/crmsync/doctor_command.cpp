// `crmsync doctor --config FILE [--state DIR]`: one line per check, a fix for
// each failure (engine/doctor.hpp). Exit 0 when every check passed, 1 otherwise.
#include <iostream>

#include "command.hpp"
#include "crmsync/engine/doctor.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/http/curl_multi_transport.hpp"

namespace crmsync::tools {
namespace {

struct DoctorFlags {
  std::string config_path, state_dir;
};

int Doctor(const DoctorFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  engine::DoctorOptions options;
  options.state_dir = StateDir(flags.state_dir, *config);
  http::CurlMultiTransport transport;
  const auto checks = engine::RunDoctor(*config, options, transport);
  std::size_t failed = 0;
  for (const auto& check : checks) {
    std::cout << engine::FormatDoctorCheck(check) << "\n";
    if (!check.ok) ++failed;
  }
  std::cout << (failed == 0 ? "all checks passed\n" : std::to_string(failed) + " check(s) failed\n") << std::flush;
  return failed == 0 ? engine::kExitComplete : engine::kExitFailure;
}

}  // namespace

void AddDoctorCommand(CLI::App& root, Commands& commands) {
  auto flags = std::make_shared<DoctorFlags>();
  CLI::App* doctor = root.add_subcommand(
      "doctor", "Check endpoints, TLS, credentials, the Salesforce fields and the state; a fix for each failure");
  doctor->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  doctor->add_option("--state", flags->state_dir, "State directory (default: engine.state_dir or ./crmsync-state)");
  commands.push_back({doctor, [flags] { return Doctor(*flags); }});
}

}  // namespace crmsync::tools

// crmsync: the command line. Commands: run, status.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/store.hpp"
#include "connect_command.hpp"
#include "crmsync/engine/secrets.hpp"
#include "crmsync/state/secret_box.hpp"
#include "status_command.hpp"

namespace {

using namespace crmsync;

std::string StateDir(const std::string& flag, const engine::Config& config) {
  if (!flag.empty()) return flag;
  if (!config.engine.state_dir.empty()) return config.engine.state_dir;
  return "crmsync-state";
}

int RunCommand(const std::string& config_path, const std::string& state_flag,
               const std::string& report_path, bool quiet) {
  auto config = engine::LoadConfig(config_path);
  if (!config.ok()) {
    std::cerr << "crmsync: configuration error: " << config.status().message() << "\n";
    return engine::kExitUsage;
  }
  const std::string state_dir = StateDir(state_flag, config.value());
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  // Sealed secrets exist only where `crmsync connect` created the master key.
  std::optional<state::SecretBox> box;
  const std::string master_key = engine::MasterKeyFileFor(state_dir);
  if (std::filesystem::exists(master_key)) {
    auto loaded = state::SecretBox::LoadOrCreate(master_key);
    if (!loaded.ok()) {
      std::cerr << "crmsync: " << loaded.status().message() << "\n";
      return engine::kExitFailure;
    }
    box.emplace(std::move(loaded.value()));
  }
  engine::RunOptions options;
  options.secrets = box ? &*box : nullptr;
  http::CurlMultiTransport transport;
  engine::RunReport report = engine::RunOnce(config.value(), options, transport, *store.value());
  const http::TransportStats stats = transport.Stats();
  report.transport["requests"] = stats.requests;
  report.transport["connections_opened"] = stats.connections_opened;
  report.transport["transport_failures"] = stats.transport_failures;

  const std::string json = report.ToJson();
  Status saved = store.value()->PutRun(report.run_id, json);
  if (!saved.ok()) std::cerr << "crmsync: warning: run report not saved in state: " << saved.ToString() << "\n";
  if (!report_path.empty()) {
    std::ofstream out(report_path, std::ios::binary | std::ios::trunc);
    out << json;
    if (!out) {
      std::cerr << "crmsync: cannot write the report to " << report_path << "\n";
      return engine::kExitFailure;
    }
  }
  if (!quiet) std::cout << report.ToText() << std::flush;
  return report.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crmsync: capture organization-wide email activity into Salesforce, exactly once"};
  app.require_subcommand(1);

  std::string config_path, state_dir, report_path;
  bool quiet = false;
  CLI::App* run = app.add_subcommand("run", "Scheduled batch run: capture everything new since the last run");
  run->add_option("--config", config_path, "Configuration file (TOML)")->required();
  run->add_option("--state", state_dir, "State directory (default: engine.state_dir or ./crmsync-state)");
  run->add_option("--report", report_path, "Write the run report (JSON) to this file");
  run->add_flag("--quiet", quiet, "Do not print the human summary");

  CLI::App* status = app.add_subcommand("status", "Per-tenant status of the last run");
  status->add_option("--config", config_path, "Configuration file (TOML)")->required();
  status->add_option("--state", state_dir, "State directory");
  bool status_json = false;
  status->add_flag("--json", status_json, "Print the last run report as JSON");

  CLI::App* connect = app.add_subcommand("connect", "Connect an organization's mail system once");
  connect->require_subcommand(1);
  crmsync::tools::ConnectGoogleOptions google_options;
  CLI::App* google = connect->add_subcommand(
      "google", "Validate a Google service-account key, test domain-wide delegation, store the key sealed");
  google->add_option("--config", config_path, "Configuration file (TOML)")->required();
  google->add_option("--tenant", google_options.tenant, "Tenant id (a [[tenants]] with a google table)")->required();
  google->add_option("--key-file", google_options.key_file, "The service account's JSON key file")->required();
  google->add_option("--user", google_options.user, "User to test the token exchange with (default: admin_email)");
  google->add_option("--state", state_dir, "State directory");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : engine::kExitUsage;
  }
  if (run->parsed()) return RunCommand(config_path, state_dir, report_path, quiet);
  if (google->parsed()) {
    auto config = engine::LoadConfig(config_path);
    if (!config.ok()) {
      std::cerr << "crmsync: configuration error: " << config.status().message() << "\n";
      return engine::kExitUsage;
    }
    google_options.state_dir = StateDir(state_dir, config.value());
    return crmsync::tools::ConnectGoogle(config.value(), google_options);
  }
  if (status->parsed()) {
    auto config = engine::LoadConfig(config_path);
    if (!config.ok()) {
      std::cerr << "crmsync: configuration error: " << config.status().message() << "\n";
      return engine::kExitUsage;
    }
    return crmsync::tools::StatusCommand(StateDir(state_dir, config.value()), status_json);
  }
  return engine::kExitUsage;
}

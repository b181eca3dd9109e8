// crmsync: the command line. Commands: run, status.
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/store.hpp"
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
  http::CurlMultiTransport transport;
  engine::RunReport report = engine::RunOnce(config.value(), {}, transport, *store.value());
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : engine::kExitUsage;
  }
  if (run->parsed()) return RunCommand(config_path, state_dir, report_path, quiet);
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

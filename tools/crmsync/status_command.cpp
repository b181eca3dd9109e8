#include "status_command.hpp"
#include "command.hpp"

#include <iostream>

#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/engine/run_report.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {

int StatusCommand(const std::string& state_dir, bool json) {
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto runs = store.value()->ListRuns(1);
  if (!runs.ok() || runs.value().empty()) {
    std::cout << "no run recorded in " << state_dir << "\n";
    return engine::kExitComplete;
  }
  auto report = store.value()->GetRun(runs.value().front());
  if (!report.ok() || !report.value()) {
    std::cerr << "crmsync: cannot read the last run report\n";
    return engine::kExitFailure;
  }
  if (json) {
    std::cout << *report.value();
    return engine::kExitComplete;
  }
  simdjson::padded_string padded(*report.value());
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) {
    std::cerr << "crmsync: the last run report is not valid JSON\n";
    return engine::kExitFailure;
  }
  std::string_view run_id, status, finished;
  if (doc["run_id"].get(run_id) || doc["status"].get(status) || doc["finished_at"].get(finished)) {
    std::cerr << "crmsync: the last run report lacks run_id/status\n";
    return engine::kExitFailure;
  }
  std::cout << fmt::format("last run {} finished {}: {}\n", run_id, finished, status);
  simdjson::ondemand::array tenants;
  if (doc["tenants"].get(tenants)) return engine::kExitFailure;
  for (auto tenant_value : tenants) {
    simdjson::ondemand::object tenant;
    if (tenant_value.get(tenant)) return engine::kExitFailure;
    std::string_view id, tenant_status;
    std::uint64_t users = 0, captured = 0;
    if (tenant["id"].get(id) || tenant["status"].get(tenant_status) || tenant["users"].get(users) ||
        tenant["captured"].get(captured)) {
      return engine::kExitFailure;
    }
    const char* connection = tenant_status == "failed" ? "Disconnected" : "Connected";
    std::cout << fmt::format("  {:<16} {:<12} {:<8} users {:>6}  captured {:>8}\n", id, connection,
                             tenant_status, users, captured);
    simdjson::ondemand::array errors;
    if (!tenant["errors"].get(errors)) {
      for (auto e : errors) {
        std::string_view text;
        if (!e.get(text)) std::cout << "    error: " << text << "\n";
      }
    }
  }
  return engine::kExitComplete;
}

void AddStatusCommand(CLI::App& root, Commands& commands) {
  struct Flags {
    std::string config_path, state_dir;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* status = root.add_subcommand("status", "Per-tenant status of the last run");
  status->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  status->add_option("--state", flags->state_dir, "State directory");
  status->add_flag("--json", flags->json, "Print the last run report as JSON");
  commands.push_back({status, [flags] {
                        auto config = LoadConfigOrReport(flags->config_path);
                        if (!config) return engine::kExitUsage;
                        return StatusCommand(StateDir(flags->state_dir, *config), flags->json);
                      }});
}

}  // namespace crmsync::tools

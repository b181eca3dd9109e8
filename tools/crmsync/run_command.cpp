// `crmsync run`: one scheduled batch run.
#include <fstream>
#include <iostream>

#include "command.hpp"
#include "crmsync/engine/metrics.hpp"
#include "run_control.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/engine/run.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

struct RunFlags {
  std::string config_path, state_dir, report_path, metrics_path;
  std::string log_format, log_level;   // either given: log events to stderr (run_log.cpp)
  double wait_seconds = 0;
  RunControlFlags control;
};

int RunCommand(const RunFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  auto log = MakeRunLogger(flags.log_format, flags.log_level, *config);
  if (!log.ok()) {
    std::cerr << "crmsync: " << log.status().message() << "\n";
    return engine::kExitUsage;
  }
  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto opened = OpenEngineState(state_dir, flags.wait_seconds);
  if (!opened) return engine::kExitFailure;
  state::Store& store = *opened->store;
  // Users provisioned through `crmsync serve` since the last run take effect now.
  auto inbox = engine::ApplyInbox(*config, store, state_dir);
  if (!inbox.ok()) {
    std::cerr << "crmsync: cannot apply provisioning requests: " << inbox.status().message() << "\n";
    return engine::kExitFailure;
  }
  if (inbox.value().rejected > 0) {
    std::cerr << "crmsync: " << inbox.value().rejected << " provisioning request(s) rejected, see "
              << state_dir << "/inbox/rejected/\n";
  }
  engine::RunOptions options;
  options.secrets = opened->box();
  options.state_dir = state_dir;
  RunControl control(flags.control);
  options.stop = control.stop();
  options.progress = control.progress();
  options.log = log.value().get();   // events as they happen; nullptr without --log-format/--log-level
  http::CurlMultiTransport transport(RunTransportOptions(config->engine));
  engine::RunReport report = engine::RunOnce(*config, options, transport, store);
  control.Finish();
  const http::TransportStats stats = transport.Stats();
  report.transport["requests"] = stats.requests;
  report.transport["connections_opened"] = stats.connections_opened;
  report.transport["transport_failures"] = stats.transport_failures;
  engine::AddCallOutcomes(report, stats.by_kind_outcome);

  const std::string json = report.ToJson();
  Status saved = store.PutRun(report.run_id, json);
  if (!saved.ok()) std::cerr << "crmsync: warning: run report not saved in state: " << saved.ToString() << "\n";
  SaveRunOutputs({state_dir, flags.metrics_path}, *config, store, json);
  if (log.value()) engine::LogRunReport(*log.value(), report, /*errors_logged=*/true);
  if (!flags.report_path.empty()) {
    std::ofstream out(flags.report_path, std::ios::binary | std::ios::trunc);
    out << json;
    if (!out) {
      std::cerr << "crmsync: cannot write the report to " << flags.report_path << "\n";
      return engine::kExitFailure;
    }
  }
  if (!flags.control.quiet) std::cout << report.ToText() << std::flush;
  return report.exit_code;
}

}  // namespace

void AddRunCommand(CLI::App& root, Commands& commands) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = root.add_subcommand("run", "Scheduled batch run: capture everything new since the last run");
  run->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  run->add_option("--state", flags->state_dir, "State directory (default: engine.state_dir or ./crmsync-state)");
  run->add_option("--report", flags->report_path, "Write the run report (JSON) to this file");
  run->add_option("--metrics-file", flags->metrics_path,
                  "Also write the metrics (Prometheus text format) here, atomically (node_exporter textfile)");
  run->add_option("--log-format", flags->log_format, "Log events to stderr: plain | json (JSON lines)");
  run->add_option("--log-level", flags->log_level, "Log events at this level and above: debug | info | warn | error");
  AddRunControlFlags(*run, flags->control);
  AddWaitFlag(*run, flags->wait_seconds);
  commands.push_back({run, [flags] { return RunCommand(*flags); }});
}

}  // namespace crmsync::tools

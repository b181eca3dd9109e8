// What `crmsync run` leaves behind besides the report: the bounded run
// history in the state, and the metrics (<state>/metrics.prom, which
// `crmsync serve` serves, and --metrics-file for node_exporter).
#include <chrono>
#include <iostream>

#include "command.hpp"
#include "crmsync/engine/metrics.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {

void SaveRunOutputs(const RunOutputs& outputs, const engine::Config& config, state::Store& store,
                    const std::string& report_json) {
  auto pruned = store.PruneRuns(kRunsKept);
  if (!pruned.ok()) std::cerr << "crmsync: warning: run history not pruned: " << pruned.status().message() << "\n";
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto gauges = engine::ReadTenantGauges(store, config, now_ms);
  if (!gauges.ok()) {
    std::cerr << "crmsync: warning: metrics not written: " << gauges.status().message() << "\n";
    return;
  }
  auto text = engine::RenderMetrics(report_json, gauges.value());
  if (!text.ok()) {
    std::cerr << "crmsync: warning: metrics not written: " << text.status().message() << "\n";
    return;
  }
  for (const std::string& path : {engine::MetricsFileFor(outputs.state_dir), outputs.metrics_file}) {
    if (path.empty()) continue;
    Status written = engine::WriteFileAtomically(path, text.value());
    if (!written.ok()) std::cerr << "crmsync: warning: metrics not written: " << written.message() << "\n";
  }
}

}  // namespace crmsync::tools

namespace crmsync::tools {

Result<std::unique_ptr<engine::Logger>> MakeRunLogger(const std::string& format, const std::string& level,
                                                       const engine::Config& config) {
  if (format.empty() && level.empty()) return std::unique_ptr<engine::Logger>();
  auto parsed_format = engine::ParseLogFormat(format.empty() ? "plain" : format);
  if (!parsed_format.ok()) return parsed_format.status();
  auto parsed_level = engine::ParseLogLevel(level.empty() ? "info" : level);
  if (!parsed_level.ok()) return parsed_level.status();
  return std::make_unique<engine::Logger>(parsed_format.value(), parsed_level.value(), std::cerr,
                                          engine::SecretsOf(config));
}

}  // namespace crmsync::tools

// Prometheus text exposition (format 0.0.4) of a run: counters of the run
// report (each run is one "process lifetime": counters start at 0 every run,
// which rate()/increase() treat as a reset) and gauges read from the state
// at the end of the run (users by status, lag per tenant). Written by
// `crmsync run` to <state>/metrics.prom (and --metrics-file), served by
// `crmsync serve` at GET /metrics.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run_report.hpp"

namespace crmsync::state {
class Store;
}

namespace crmsync::engine {

struct TenantGauges {
  std::string tenant;
  std::map<std::string, std::uint64_t> users;   // status -> count (every status listed, 0 included)
  // now - the oldest last complete read of the tenant's active users (an
  // active user never read counts from when it turned active); nullopt when
  // the tenant has no active user.
  std::optional<double> lag_seconds;
};

// One entry per configured tenant, in configuration order.
Result<std::vector<TenantGauges>> ReadTenantGauges(state::Store& store, const Config& config,
                                                   std::int64_t now_unix_ms);

// Copies the transport's per-call outcomes into the report (transport keys
// "calls:KIND:OUTCOME"), where RenderMetrics finds them.
void AddCallOutcomes(RunReport& report,
                     const std::map<std::pair<std::string, std::string>, std::uint64_t>& by_kind_outcome);

// The exposition text from a run report's JSON (RunReport::ToJson) and the
// gauges. A malformed report is an error naming what is wrong.
Result<std::string> RenderMetrics(std::string_view report_json, const std::vector<TenantGauges>& gauges);

// "a\"b" -> a\"b with backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);

// Writes `text` to `path` through PATH.tmp + fsync + rename, so that a
// reader (node_exporter's textfile collector) never sees a partial file.
Status WriteFileAtomically(const std::string& path, std::string_view text);

// <state_dir>/metrics.prom: the last run's metrics, which `crmsync serve` serves.
std::string MetricsFileFor(const std::string& state_dir);

}  // namespace crmsync::engine

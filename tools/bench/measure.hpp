// Runs one measurement: a simulator process, then crmsync for a full sync, an
// incremental sync after new mail, and an idle sync with nothing new.
#pragma once

#include <string>

#include "bench_types.hpp"

namespace crmsync::bench {

// Throws std::runtime_error when a process cannot be started or the
// simulator does not answer.
// `transport`: "https" (HTTP/1.1 over TLS), "h2" (HTTP/2 over TLS: the
// simulator runs with --http2) or "http" (plain HTTP/1.1).
Measurement Measure(const Options& options, const std::string& transport);

// Parsers of the documents the measurement reads, exposed for tests.
std::vector<TenantFigures> ParseReportTenants(const std::string& report_json);
// Sums of /_sim/stats: every response, and the throttling ones (429, and
// the 403 REQUEST_LIMIT_EXCEEDED the limits layer counts as "limits.salesforce").
struct SimCounters {
  std::int64_t requests = 0, throttled = 0;
};
SimCounters ParseSimStats(const std::string& stats_json);
LimitsProfile ParseLimits(const std::string& limits_json);

}  // namespace crmsync::bench

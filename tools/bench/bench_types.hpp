// What crmsync-bench measures: its options, one phase's figures (from the
// engine's run report, the process accounting and the simulator's /_sim/
// counters), and the floors they are compared with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crmsync::bench {

enum class Mode { kCpu, kLimits };

struct Options {
  Mode mode = Mode::kCpu;
  int tenants = 2, users = 200, messages = 40, seed = 1;
  // Provider of each tenant in order (crmsync-sim --providers); built from --mix.
  std::vector<std::string> providers = {"graph"};
  std::string transport = "https";   // https, http, h2, both (https and http) or all
  std::string limits_profile = "realistic";
  int streams_in_flight = 0;   // 0: the configuration's default
  int connections_per_host = 0;   // 0: the configuration's default
  int writes_in_flight = 0;       // 0: the configuration's default
  int mailbox_concurrency = 0; // limits mode: 0 keeps the profile's per-mailbox concurrency
  int org_concurrency = 0;     // limits mode: 0 keeps the profile's per-org concurrency
  int page_size = 100;         // the Graph page size the simulator's configuration asks for
  std::string json_path;
};

// One tenant's counters from the engine's run report.
struct TenantFigures {
  std::string id;
  std::string provider;
  std::int64_t users = 0, streams = 0, read = 0, captured = 0;
  std::int64_t mailbox_pages = 0, mail_token_grants = 0, salesforce_token_grants = 0, soql_queries = 0,
               distinct_addresses = 0, salesforce_upserts = 0;
  // The pages the mailbox streams read (the report's "pages"): mailbox_pages
  // also counts the user listing's pages, which the minimum's chain counts
  // on their own, before the streams.
  std::int64_t stream_pages = 0;
};

struct ApiCalls {
  std::int64_t mailbox_pages = 0, token_grants = 0, soql_queries = 0, salesforce_writes = 0;
  std::int64_t salesforce_calls() const { return soql_queries + salesforce_writes; }
};

struct Phase {
  std::string name;
  int exit_code = -1;
  double wall = 0, engine_cpu = 0, sim_cpu = 0;
  long rss_kb = 0;
  std::int64_t read = 0, captured = 0;
  std::vector<TenantFigures> tenants;
  ApiCalls calls, floor;
  // From /_sim/stats, the difference across the phase.
  std::int64_t sim_requests = 0, throttled = 0;
  // From the run report: most mailbox streams the engine read at once.
  std::int64_t streams_in_flight_peak = 0;
  // From the run report: TCP (and TLS) connections the engine opened. Over
  // HTTP/1.1 one per request in flight; HTTP/2 multiplexes.
  std::int64_t connections_opened = 0;
};

struct Verify {
  std::int64_t expected = -1, missing = -1, duplicates = -1, unexpected = -1, mismatched = -1;
  bool clean() const { return missing == 0 && duplicates == 0 && unexpected == 0 && mismatched == 0; }
};

// The simulator's limits profile (GET /_sim/limits), in limits mode.
struct LimitsProfile {
  bool present = false;
  std::string name;
  double latency_min_ms = 0, latency_max_ms = 0;
  std::int64_t mailbox_concurrency = 0, mailbox_requests = 0, mailbox_window_s = 0;
  std::int64_t org_concurrency = 0, org_daily_requests = 0;
};

struct Makespan {
  double minimum_seconds = 0;   // the theoretical minimum of the full sync under the limits
  double ratio = 0;             // measured wall / minimum
  std::string binding;          // which bound gave the minimum
  // What an engine with no CPU cost and unlimited connections would take on
  // average when each request's latency is drawn from the profile's range (the
  // minimum above assumes every request gets the lowest latency).
  double ideal_expected_seconds = 0;
  double ideal_ratio = 0;       // measured wall / ideal_expected_seconds
  // The same ideal engine with no more requests in flight than the run had
  // (its stream window's peak, or fewer connections per host when set).
  std::int64_t capped_in_flight = 0;
  double ideal_capped_seconds = 0;
  double ideal_capped_ratio = 0;  // measured wall / ideal_capped_seconds
};

struct Measurement {
  std::string transport;
  Phase full, incremental, idle;
  Verify verify;
  LimitsProfile limits;
  Makespan makespan;
};

}  // namespace crmsync::bench

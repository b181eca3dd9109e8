#include "measure.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include <simdjson.h>

#include "floors.hpp"
#include "harness.hpp"

namespace crmsync::bench {
namespace {

using harness::SimProcess;

std::int64_t IntAt(simdjson::dom::element element, std::string_view key) {
  std::int64_t value = 0;
  return element[key].get(value) ? 0 : value;
}

double DoubleAt(simdjson::dom::element element, std::string_view key) {
  double value = 0;
  return element[key].get(value) ? 0 : value;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// The simulator's configuration leaves [engine] to its defaults; the
// benchmark may set `key` (limits mode hides latency with many streams and
// connections). `value` <= 0 keeps the default.
void SetEngineOption(const std::string& config_path, const char* key, int value) {
  if (value > 0) harness::SetEngineOption(config_path, key, std::to_string(value));
}

Phase RunPhase(const Options& options, const SimProcess& sim, const std::string& dir, std::string name) {
  const std::string report_path = dir + "/report-" + name + ".json";
  const SimCounters before = ParseSimStats(sim.Get("/_sim/stats"));
  const double sim_before = sim.CpuSeconds();
  auto run = harness::RunCrmsync({"run", "--config", sim.config_path(), "--state", dir + "/state", "--report",
                                  report_path, "--quiet"},
                                 std::chrono::seconds(3600));
  Phase phase;
  phase.name = std::move(name);
  phase.exit_code = run.exit_code;
  phase.wall = run.wall_seconds;
  phase.engine_cpu = run.cpu_seconds;
  phase.sim_cpu = sim.CpuSeconds() - sim_before;
  phase.rss_kb = run.max_rss_kb;
  const SimCounters after = ParseSimStats(sim.Get("/_sim/stats"));
  phase.sim_requests = after.requests - before.requests;
  phase.throttled = after.throttled - before.throttled;
  const std::string report = harness::ReadFile(report_path);
  phase.read = harness::JsonInt(report, "totals.messages_read");
  phase.captured = harness::JsonInt(report, "totals.captured");
  phase.streams_in_flight_peak = harness::JsonInt(report, "streams_in_flight_peak");
  phase.connections_opened = harness::JsonInt(report, "transport.connections_opened");
  phase.tenants = ParseReportTenants(report);
  for (std::size_t i = 0; i < phase.tenants.size(); ++i) {
    phase.tenants[i].provider = options.providers[i % options.providers.size()];
  }
  ComputeFloors(options, phase, /*cold_cache=*/phase.name == "full");
  if (run.exit_code != 0) std::cerr << "crmsync-bench: " << phase.name << " run exited " << run.exit_code << ":\n" << run.output;
  return phase;
}

}  // namespace

std::vector<TenantFigures> ParseReportTenants(const std::string& report_json) {
  std::vector<TenantFigures> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array tenants;
  if (parser.parse(report_json).get(doc) || doc["tenants"].get(tenants)) return out;
  for (simdjson::dom::element t : tenants) {
    TenantFigures f;
    std::string_view id;
    if (!t["id"].get(id)) f.id = std::string(id);
    f.users = IntAt(t, "users");
    f.streams = IntAt(t, "streams");
    f.read = IntAt(t, "messages_read");
    f.captured = IntAt(t, "captured");
    f.stream_pages = IntAt(t, "pages");
    simdjson::dom::element api;
    if (!t["api_calls"].get(api)) {
      f.mailbox_pages = IntAt(api, "mailbox_pages");
      f.mail_token_grants = IntAt(api, "mail_token_grants");
      f.salesforce_token_grants = IntAt(api, "salesforce_token_grants");
      f.soql_queries = IntAt(api, "soql_queries");
      f.distinct_addresses = IntAt(api, "distinct_addresses");
      f.salesforce_upserts = IntAt(api, "salesforce_upserts");
    }
    out.push_back(std::move(f));
  }
  return out;
}

SimCounters ParseSimStats(const std::string& stats_json) {
  SimCounters out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object endpoints;
  if (parser.parse(stats_json).get(doc) || doc["endpoints"].get(endpoints)) return out;
  for (auto [family, by_status] : endpoints) {
    simdjson::dom::object statuses;
    if (by_status.get(statuses)) continue;
    for (auto [status, count] : statuses) {
      std::int64_t n = 0;
      if (count.get(n)) continue;
      out.requests += n;
      if (status == "429" || (family == "limits.salesforce" && status == "403")) out.throttled += n;
    }
  }
  return out;
}

LimitsProfile ParseLimits(const std::string& limits_json) {
  LimitsProfile out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(limits_json).get(doc)) return out;
  std::string_view name;
  if (doc["profile"].get(name)) return out;
  out.present = true;
  out.name = std::string(name);
  out.latency_min_ms = DoubleAt(doc, "latency_min_ms");
  out.latency_max_ms = DoubleAt(doc, "latency_max_ms");
  out.mailbox_concurrency = IntAt(doc, "mailbox_concurrency");
  out.mailbox_requests = IntAt(doc, "mailbox_requests");
  out.mailbox_window_s = IntAt(doc, "mailbox_window_seconds");
  out.org_concurrency = IntAt(doc, "org_concurrency");
  out.org_daily_requests = IntAt(doc, "org_daily_requests");
  return out;
}

Measurement Measure(const Options& options, const std::string& transport) {
  harness::TempDir dir;
  std::vector<std::string> args = {"--seed",     std::to_string(options.seed),     "--tenants",
                                   std::to_string(options.tenants), "--users", std::to_string(options.users),
                                   "--messages", std::to_string(options.messages), "--providers",
                                   Join(options.providers)};
  if (transport == "http") args.push_back("--plain-http");
  if (transport == "h2") args.push_back("--http2");
  if (options.mode == Mode::kLimits) {
    args.push_back("--limits");
    args.push_back(options.limits_profile);
    if (options.mailbox_concurrency > 0) {
      args.push_back("--limits-mailbox-concurrency");
      args.push_back(std::to_string(options.mailbox_concurrency));
    }
    if (options.org_concurrency > 0) {
      args.push_back("--limits-org-concurrency");
      args.push_back(std::to_string(options.org_concurrency));
    }
  }
  SimProcess sim(dir.path(), args);
  SetEngineOption(sim.config_path(), "max_streams_in_flight", options.streams_in_flight);
  SetEngineOption(sim.config_path(), "max_connections_per_host", options.connections_per_host);
  SetEngineOption(sim.config_path(), "max_writes_in_flight", options.writes_in_flight);
  Measurement m;
  m.transport = transport;
  if (options.mode == Mode::kLimits) {
    m.limits = ParseLimits(sim.Get("/_sim/limits"));
    if (!m.limits.present) throw std::runtime_error("the simulator reports no limits profile at /_sim/limits");
  }
  m.full = RunPhase(options, sim, dir.path(), "full");
  sim.Post("/_sim/advance", R"({"messages": 2})");
  m.incremental = RunPhase(options, sim, dir.path(), "incremental");
  m.idle = RunPhase(options, sim, dir.path(), "idle");
  const harness::Verify v = harness::ParseVerify(sim.Get("/_sim/verify"));
  m.verify = Verify{v.expected, v.missing, v.duplicates, v.unexpected, v.mismatched};
  // HTTP/1.1: each request in flight holds a connection, so the fewer of the
  // run's stream window and the connections per host caps them. HTTP/2
  // multiplexes them over a few connections: only the window caps them.
  std::int64_t in_flight = m.full.streams_in_flight_peak;
  if (transport != "h2" && options.connections_per_host > 0) {
    in_flight = std::min<std::int64_t>(in_flight, options.connections_per_host);
  }
  m.makespan = MinimumMakespan(m.limits, m.full, in_flight);
  return m;
}

}  // namespace crmsync::bench

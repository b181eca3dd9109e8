#include "bench_output.hpp"

#include <iterator>

#include <fmt/format.h>

namespace crmsync::bench {
namespace {

double PerSecond(std::int64_t count, double wall) { return wall > 0 ? static_cast<double>(count) / wall : 0; }

double PerThousand(double cpu, std::int64_t messages) {
  return messages > 0 ? cpu * 1000.0 / static_cast<double>(messages) : 0;
}

double Ratio(std::int64_t measured, std::int64_t floor) {
  return floor > 0 ? static_cast<double>(measured) / static_cast<double>(floor) : (measured == 0 ? 1.0 : 0.0);
}

std::string Providers(const Options& options) {
  std::string out;
  for (const auto& p : options.providers) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::string CallsJson(const ApiCalls& calls, const ApiCalls& floor) {
  auto kind = [](std::int64_t measured, std::int64_t f) {
    return fmt::format("{{\"calls\":{},\"floor\":{},\"ratio\":{:.3f}}}", measured, f, Ratio(measured, f));
  };
  return fmt::format("{{\"mailbox_pages\":{},\"token_grants\":{},\"soql_queries\":{},\"salesforce_writes\":{}}}",
                     kind(calls.mailbox_pages, floor.mailbox_pages), kind(calls.token_grants, floor.token_grants),
                     kind(calls.soql_queries, floor.soql_queries),
                     kind(calls.salesforce_writes, floor.salesforce_writes));
}

std::string PhaseJson(const Phase& p) {
  return fmt::format(
      "{{\"exit_code\":{},\"wall_seconds\":{:.3f},\"messages_read\":{},\"captured\":{},"
      "\"read_per_second\":{:.1f},\"captured_per_second\":{:.1f},\"engine_cpu_seconds\":{:.3f},"
      "\"sim_cpu_seconds\":{:.3f},\"engine_cpu_seconds_per_1k_messages\":{:.4f},"
      "\"sim_cpu_seconds_per_1k_messages\":{:.4f},\"engine_peak_rss_kb\":{},\"api_calls\":{},"
      "\"salesforce_calls\":{},\"sim_requests\":{},\"throttled_429\":{},\"throttled_share\":{:.5f},"
      "\"streams_in_flight_peak\":{},\"connections_opened\":{}}}",
      p.exit_code, p.wall, p.read, p.captured, PerSecond(p.read, p.wall), PerSecond(p.captured, p.wall),
      p.engine_cpu, p.sim_cpu, PerThousand(p.engine_cpu, p.read), PerThousand(p.sim_cpu, p.read), p.rss_kb,
      CallsJson(p.calls, p.floor), p.calls.salesforce_calls(), p.sim_requests, p.throttled,
      p.sim_requests > 0 ? static_cast<double>(p.throttled) / static_cast<double>(p.sim_requests) : 0.0,
      p.streams_in_flight_peak, p.connections_opened);
}

}  // namespace

std::string ModeName(Mode mode) { return mode == Mode::kLimits ? "limits" : "cpu"; }

std::string Table(const Options& options, const std::vector<Measurement>& results) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "crmsync-bench --mode {}: {} tenants ({}) x {} users x {} messages per user\n\n",
                 ModeName(options.mode), options.tenants, Providers(options), options.users, options.messages);
  fmt::format_to(it, "{:<9} {:<12} {:>8} {:>9} {:>10} {:>11} {:>10} {:>10} {:>8} {:>6} {:>8} {:>7} {:>5}\n",
                 "transport", "phase", "wall s", "read", "read/s", "captured/s", "eng cpu/1k", "sim cpu/1k",
                 "rss MiB", "429s", "requests", "streams", "conns");
  for (const auto& m : results) {
    for (const Phase* p : {&m.full, &m.incremental, &m.idle}) {
      fmt::format_to(it,
                     "{:<9} {:<12} {:>8.2f} {:>9} {:>10.0f} {:>11.0f} {:>10.4f} {:>10.4f} {:>8.1f} {:>6} {:>8} {:>7} {:>5}\n",
                     m.transport, p->name, p->wall, p->read, PerSecond(p->read, p->wall),
                     PerSecond(p->captured, p->wall), PerThousand(p->engine_cpu, p->read),
                     PerThousand(p->sim_cpu, p->read), static_cast<double>(p->rss_kb) / 1024.0, p->throttled,
                     p->sim_requests, p->streams_in_flight_peak, p->connections_opened);
    }
    fmt::format_to(it, "\n{} API calls (measured / floor):\n", m.transport);
    fmt::format_to(it, "  {:<12} {:>15} {:>15} {:>15} {:>17}\n", "phase", "mailbox pages", "token grants",
                   "soql queries", "salesforce writes");
    for (const Phase* p : {&m.full, &m.incremental, &m.idle}) {
      auto cell = [](std::int64_t a, std::int64_t b) { return fmt::format("{} / {}", a, b); };
      fmt::format_to(it, "  {:<12} {:>15} {:>15} {:>15} {:>17}\n", p->name,
                     cell(p->calls.mailbox_pages, p->floor.mailbox_pages),
                     cell(p->calls.token_grants, p->floor.token_grants),
                     cell(p->calls.soql_queries, p->floor.soql_queries),
                     cell(p->calls.salesforce_writes, p->floor.salesforce_writes));
    }
    if (m.makespan.minimum_seconds > 0) {
      fmt::format_to(it, "  full sync makespan {:.2f} s, theoretical minimum {:.2f} s ({}), ratio {:.2f}\n",
                     m.full.wall, m.makespan.minimum_seconds, m.makespan.binding, m.makespan.ratio);
      fmt::format_to(it, "  an ideal engine under these latencies: {:.2f} s on average, ratio {:.2f}\n",
                     m.makespan.ideal_expected_seconds, m.makespan.ideal_ratio);
      fmt::format_to(it, "  the same with at most {} requests in flight (the stream window, or over HTTP/1.1 the connections if fewer): {:.2f} s, ratio {:.2f}\n",
                     m.makespan.capped_in_flight, m.makespan.ideal_capped_seconds, m.makespan.ideal_capped_ratio);
    }
    fmt::format_to(it, "  verify: {} (expected {}, missing {}, duplicates {}, unexpected {}, mismatched {})\n",
                   m.verify.clean() ? "ok" : "FAILED", m.verify.expected, m.verify.missing, m.verify.duplicates,
                   m.verify.unexpected, m.verify.mismatched);
    fmt::format_to(it, "  idle run Salesforce calls: {}\n\n", m.idle.calls.salesforce_calls());
  }
  return out;
}

std::string Json(const Options& options, const std::vector<Measurement>& results) {
  std::string out = fmt::format(
      "{{\"mode\":\"{}\",\"tenants\":{},\"providers\":\"{}\",\"users\":{},\"messages\":{},\"seed\":{},"
      "\"streams_in_flight\":{},\"connections_per_host\":{},\"writes_in_flight\":{},\"runs\":[",
      ModeName(options.mode), options.tenants, Providers(options), options.users, options.messages, options.seed,
      options.streams_in_flight, options.connections_per_host, options.writes_in_flight);
  auto it = std::back_inserter(out);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& m = results[i];
    fmt::format_to(it, "{}{{\"transport\":\"{}\",\"full\":{},\"incremental\":{},\"idle\":{},", i == 0 ? "" : ",",
                   m.transport, PhaseJson(m.full), PhaseJson(m.incremental), PhaseJson(m.idle));
    fmt::format_to(it,
                   "\"verify\":{{\"clean\":{},\"expected\":{},\"missing\":{},\"duplicates\":{},\"unexpected\":{},"
                   "\"mismatched\":{}}}",
                   m.verify.clean(), m.verify.expected, m.verify.missing, m.verify.duplicates, m.verify.unexpected,
                   m.verify.mismatched);
    if (m.limits.present) {
      fmt::format_to(it,
                     ",\"limits\":{{\"profile\":\"{}\",\"latency_min_ms\":{},\"latency_max_ms\":{},"
                     "\"mailbox_concurrency\":{},\"mailbox_requests\":{},\"mailbox_window_seconds\":{},"
                     "\"org_concurrency\":{},\"org_daily_requests\":{}}},"
                     "\"makespan\":{{\"measured_seconds\":{:.3f},\"minimum_seconds\":{:.3f},\"ratio\":{:.3f},"
                     "\"binding\":\"{}\",\"ideal_expected_seconds\":{:.3f},\"ideal_ratio\":{:.3f},"
                     "\"capped_in_flight\":{},\"ideal_capped_seconds\":{:.3f},\"ideal_capped_ratio\":{:.3f}}}",
                     m.limits.name, m.limits.latency_min_ms, m.limits.latency_max_ms, m.limits.mailbox_concurrency,
                     m.limits.mailbox_requests, m.limits.mailbox_window_s, m.limits.org_concurrency,
                     m.limits.org_daily_requests, m.full.wall, m.makespan.minimum_seconds, m.makespan.ratio,
                     m.makespan.binding, m.makespan.ideal_expected_seconds, m.makespan.ideal_ratio,
                     m.makespan.capped_in_flight, m.makespan.ideal_capped_seconds, m.makespan.ideal_capped_ratio);
    }
    out += '}';
  }
  out += "]}\n";
  return out;
}

}  // namespace crmsync::bench

// crmsync-bench: runs the simulator and the engine as separate processes at
// a chosen scale, a full sync then an incremental one, and reports
// throughput, CPU per 1,000 messages (engine and simulator apart), the
// engine's peak RSS, API calls and the verification result. With
// --transport both, HTTPS and plain HTTP are measured side by side.
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "harness.hpp"

namespace {

using namespace crmsync::harness;

struct Options {
  int tenants = 2, users = 200, messages = 40, seed = 1;
  std::string transport = "both";
  std::string json_path;
};

struct Phase {
  double wall = 0, engine_cpu = 0, sim_cpu = 0;
  long rss_kb = 0;
  std::int64_t read = 0, captured = 0;
  int exit_code = -1;
};

struct Measurement {
  std::string transport;
  Phase full, incremental;
  Verify verify;
  std::int64_t connections = 0, requests = 0;
};

Phase RunPhase(const SimProcess& sim, const std::string& dir) {
  const std::string report_path = dir + "/report.json";
  const double sim_before = sim.CpuSeconds();
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir + "/state", "--report",
                         report_path, "--quiet"},
                        std::chrono::seconds(3600));
  Phase phase;
  phase.exit_code = run.exit_code;
  phase.wall = run.wall_seconds;
  phase.engine_cpu = run.cpu_seconds;
  phase.sim_cpu = sim.CpuSeconds() - sim_before;
  phase.rss_kb = run.max_rss_kb;
  const std::string report = ReadFile(report_path);
  phase.read = JsonInt(report, "totals.messages_read");
  phase.captured = JsonInt(report, "totals.captured");
  if (run.exit_code != 0) std::cerr << run.output;
  return phase;
}

Measurement Measure(const Options& options, bool tls) {
  TempDir dir;
  std::vector<std::string> args = {"--seed", std::to_string(options.seed), "--tenants",
                                   std::to_string(options.tenants), "--users", std::to_string(options.users),
                                   "--messages", std::to_string(options.messages)};
  if (!tls) args.push_back("--plain-http");
  SimProcess sim(dir.path(), args);
  Measurement m;
  m.transport = tls ? "https" : "http";
  m.full = RunPhase(sim, dir.path());
  const std::string report = ReadFile(dir.path() + "/report.json");
  m.connections = JsonInt(report, "transport.connections_opened");
  m.requests = JsonInt(report, "transport.requests");
  sim.Post("/_sim/advance", R"({"messages": 2})");
  m.incremental = RunPhase(sim, dir.path());
  m.verify = ParseVerify(sim.Get("/_sim/verify"));
  return m;
}

double PerThousand(double cpu, std::int64_t messages) {
  return messages > 0 ? cpu * 1000.0 / static_cast<double>(messages) : 0;
}

void PrintTable(const Options& options, const std::vector<Measurement>& results) {
  std::cout << fmt::format("crmsync-bench: {} tenants x {} users x {} messages per user\n\n", options.tenants,
                           options.users, options.messages);
  std::cout << fmt::format("{:<10} {:<12} {:>8} {:>9} {:>12} {:>12} {:>13} {:>13} {:>10} {:>11} {:>8}\n",
                           "transport", "phase", "wall s", "read", "read/s", "captured/s", "engine cpu/1k",
                           "sim cpu/1k", "rss MiB", "connections", "verify");
  for (const auto& m : results) {
    for (const auto* phase : {&m.full, &m.incremental}) {
      const bool full = phase == &m.full;
      std::cout << fmt::format(
          "{:<10} {:<12} {:>8.2f} {:>9} {:>12.0f} {:>12.0f} {:>13.3f} {:>13.3f} {:>10.1f} {:>11} {:>8}\n",
          m.transport, full ? "full" : "incremental", phase->wall, phase->read,
          phase->wall > 0 ? static_cast<double>(phase->read) / phase->wall : 0,
          phase->wall > 0 ? static_cast<double>(phase->captured) / phase->wall : 0,
          PerThousand(phase->engine_cpu, phase->read), PerThousand(phase->sim_cpu, phase->read),
          static_cast<double>(phase->rss_kb) / 1024.0, full ? std::to_string(m.connections) : "",
          m.verify.missing == 0 && m.verify.duplicates == 0 && m.verify.unexpected == 0 ? "ok" : "FAILED");
    }
  }
  if (results.size() == 2) {
    const double https = results[0].full.wall, http = results[1].full.wall;
    if (http > 0) std::cout << fmt::format("\nfull sync wall time https/http = {:.2f}\n", https / http);
  }
}

std::string Json(const Options& options, const std::vector<Measurement>& results) {
  std::string out = fmt::format("{{\"tenants\":{},\"users\":{},\"messages\":{},\"seed\":{},\"runs\":[",
                                options.tenants, options.users, options.messages, options.seed);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& m = results[i];
    auto phase = [](const Phase& p) {
      return fmt::format(
          "{{\"wall_seconds\":{:.3f},\"messages_read\":{},\"captured\":{},\"read_per_second\":{:.1f},"
          "\"captured_per_second\":{:.1f},\"engine_cpu_seconds\":{:.3f},\"sim_cpu_seconds\":{:.3f},"
          "\"engine_peak_rss_kb\":{},\"exit_code\":{}}}",
          p.wall, p.read, p.captured, p.wall > 0 ? static_cast<double>(p.read) / p.wall : 0,
          p.wall > 0 ? static_cast<double>(p.captured) / p.wall : 0, p.engine_cpu, p.sim_cpu, p.rss_kb,
          p.exit_code);
    };
    out += fmt::format(
        "{}{{\"transport\":\"{}\",\"full\":{},\"incremental\":{},\"connections_opened\":{},\"requests\":{},"
        "\"verify\":{{\"expected\":{},\"missing\":{},\"duplicates\":{},\"unexpected\":{},\"mismatched\":{}}}}}",
        i == 0 ? "" : ",", m.transport, phase(m.full), phase(m.incremental), m.connections, m.requests,
        m.verify.expected, m.verify.missing, m.verify.duplicates, m.verify.unexpected, m.verify.mismatched);
  }
  out += "]}\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"crmsync-bench: the engine against the simulators at a chosen scale"};
  app.add_option("--tenants", options.tenants, "Organizations")->check(CLI::Range(1, 1000));
  app.add_option("--users", options.users, "Users per organization")->check(CLI::Range(1, 1000000));
  app.add_option("--messages", options.messages, "Messages per user")->check(CLI::Range(1, 1000000));
  app.add_option("--seed", options.seed, "Corpus seed");
  app.add_option("--transport", options.transport, "https, http or both")
      ->check(CLI::IsMember({"https", "http", "both"}));
  app.add_option("--json", options.json_path, "Also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  std::vector<Measurement> results;
  try {
    if (options.transport != "http") results.push_back(Measure(options, true));
    if (options.transport != "https") results.push_back(Measure(options, false));
  } catch (const std::exception& e) {
    std::cerr << "crmsync-bench: " << e.what() << "\n";
    return 1;
  }
  PrintTable(options, results);
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << Json(options, results);
  }
  bool ok = true;
  for (const auto& m : results) {
    ok = ok && m.full.exit_code == 0 && m.incremental.exit_code == 0 && m.verify.missing == 0 &&
         m.verify.duplicates == 0 && m.verify.unexpected == 0;
  }
  return ok ? 0 : 1;
}

// crmsync-bench: runs the simulator and the engine as separate processes at
// a chosen scale: a full sync, an incremental one after new mail and an idle
// one with nothing new; reports throughput, CPU per 1,000 messages (engine
// and simulator apart), the engine's peak RSS, API calls next to their
// floors, 429s and the verification result. --mode limits asks the simulator
// for realistic latency and rate limits and adds the theoretical minimum
// makespan. --transport both measures HTTPS and plain HTTP side by side; h2
// runs HTTPS over HTTP/2 (the simulator multiplexes requests per connection).
#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>

#include <CLI/CLI.hpp>

#include "bench_output.hpp"
#include "measure.hpp"

namespace {

using namespace crmsync::bench;

// "graph=3,gmail=2" -> tenants in that order; nullopt (with a message) when malformed.
std::optional<std::vector<std::string>> ParseMix(const std::string& text, std::string& error) {
  std::vector<std::string> providers;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const std::size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    int count = 0;
    const char* first = item.data() + (eq == std::string::npos ? item.size() : eq + 1);
    const auto [end, ec] = std::from_chars(first, item.data() + item.size(), count);
    if (eq == std::string::npos || ec != std::errc() || end != item.data() + item.size() || count < 0 ||
        count > 1000 || (name != "graph" && name != "gmail" && name != "ews")) {
      error = "--mix takes PROVIDER=COUNT items (graph, gmail, ews; 0..1000) separated by commas, got '" + item + "'";
      return std::nullopt;
    }
    providers.insert(providers.end(), static_cast<std::size_t>(count), name);
    start = comma + 1;
  }
  if (providers.empty()) {
    error = "--mix must name at least one tenant";
    return std::nullopt;
  }
  return providers;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string mode = "cpu", mix;
  CLI::App app{"crmsync-bench: the engine against the simulators at a chosen scale"};
  app.add_option("--mode", mode, "cpu (the simulator answers at once) or limits (latency and rate limits)")
      ->check(CLI::IsMember({"cpu", "limits"}));
  app.add_option("--tenants", options.tenants, "Organizations (all Microsoft 365 unless --mix)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--mix", mix, "Connector mix, e.g. graph=3,gmail=2 (sets the number of tenants)");
  app.add_option("--users", options.users, "Users per organization")->check(CLI::Range(1, 100000));
  app.add_option("--messages", options.messages, "Messages per user")->check(CLI::Range(1, 1000000));
  app.add_option("--seed", options.seed, "Corpus seed");
  app.add_option("--transport", options.transport,
                 "https (HTTP/1.1 over TLS), h2 (HTTP/2 over TLS), http (plain HTTP/1.1), both (https and http) or all")
      ->check(CLI::IsMember({"https", "http", "h2", "both", "all"}));
  app.add_option("--limits", options.limits_profile, "Simulator limits profile in limits mode")
      ->check(CLI::IsMember({"realistic"}));
  app.add_option("--streams-in-flight", options.streams_in_flight,
                 "Set [engine] max_streams_in_flight (default: the configuration's)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--writes-in-flight", options.writes_in_flight,
                 "Set [engine] max_writes_in_flight (default: the configuration's)")
      ->check(CLI::Range(1, 64));
  app.add_option("--connections-per-host", options.connections_per_host,
                 "Set [engine] max_connections_per_host (default: the configuration's)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--mailbox-concurrency", options.mailbox_concurrency,
                 "Limits mode: concurrent requests the simulator allows per mailbox (default: the profile's 4)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--org-concurrency", options.org_concurrency,
                 "Limits mode: concurrent requests the simulator allows per Salesforce org (default: the profile's 25)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--json", options.json_path, "Also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  options.mode = mode == "limits" ? Mode::kLimits : Mode::kCpu;
  if ((options.mailbox_concurrency > 0 || options.org_concurrency > 0) && options.mode != Mode::kLimits) {
    std::cerr << "crmsync-bench: --mailbox-concurrency and --org-concurrency need --mode limits\n";
    return 2;
  }
  if (!mix.empty()) {
    std::string error;
    auto providers = ParseMix(mix, error);
    if (!providers) {
      std::cerr << "crmsync-bench: " << error << "\n";
      return 2;
    }
    options.providers = *providers;
    options.tenants = static_cast<int>(providers->size());
  }

  std::vector<Measurement> results;
  try {
    for (const char* transport : {"https", "h2", "http"}) {
      const bool chosen = options.transport == transport || options.transport == "all" ||
                          (options.transport == "both" && std::string_view(transport) != "h2");
      if (chosen) results.push_back(Measure(options, transport));
    }
  } catch (const std::exception& e) {
    std::cerr << "crmsync-bench: " << e.what() << "\n";
    return 1;
  }
  std::cout << Table(options, results);
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << Json(options, results);
    if (!out) {
      std::cerr << "crmsync-bench: cannot write " << options.json_path << "\n";
      return 1;
    }
  }
  bool ok = true;
  for (const auto& m : results) {
    ok = ok && m.full.exit_code == 0 && m.incremental.exit_code == 0 && m.idle.exit_code == 0 && m.verify.clean();
  }
  return ok ? 0 : 1;
}

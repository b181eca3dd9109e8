#include "ratio_reporter.hpp"

#include <iterator>

#include <fmt/format.h>

namespace crmsync::bench {
namespace {

constexpr std::string_view kFloorSuffix = "_floor";

double NanosecondsPer(benchmark::TimeUnit unit) {
  switch (unit) {
    case benchmark::kNanosecond: return 1;
    case benchmark::kMicrosecond: return 1e3;
    case benchmark::kMillisecond: return 1e6;
    case benchmark::kSecond: return 1e9;
  }
  return 1;
}

}  // namespace

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
    auto items = run.counters.find("items");
    if (items == run.counters.end() || items->second.value <= 0) continue;
    const double ns = run.GetAdjustedCPUTime() * NanosecondsPer(run.time_unit);
    figures_[run.benchmark_name()].cpu_ns_per_item = ns / items->second.value;
  }
}


std::string RatioReporter::RatioTable() const {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "\n{:<28} {:>16} {:>16} {:>8}\n", "stage", "cpu ns / item", "floor ns / item", "ratio");
  for (const auto& [name, figure] : figures_) {
    if (name.size() >= kFloorSuffix.size() &&
        name.compare(name.size() - kFloorSuffix.size(), kFloorSuffix.size(), kFloorSuffix) == 0) {
      continue;
    }
    auto floor = figures_.find(name + std::string(kFloorSuffix));
    if (floor == figures_.end() || floor->second.cpu_ns_per_item <= 0) {
      fmt::format_to(it, "{:<28} {:>16.1f} {:>16} {:>8}\n", name, figure.cpu_ns_per_item, "-", "-");
      continue;
    }
    fmt::format_to(it, "{:<28} {:>16.1f} {:>16.1f} {:>8.2f}\n", name, figure.cpu_ns_per_item,
                   floor->second.cpu_ns_per_item, figure.cpu_ns_per_item / floor->second.cpu_ns_per_item);
  }
  return out;
}

}  // namespace crmsync::bench

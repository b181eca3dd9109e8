// Prints each stage next to its floor: benchmarks come in pairs named NAME
// and NAME_floor, each setting counters["items"] (records per iteration).
#pragma once

#include <map>
#include <string>

#include <benchmark/benchmark.h>

namespace crmsync::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
  // The table of stage / floor ratios of the runs seen so far.
  std::string RatioTable() const;

 private:
  struct Figure {
    double cpu_ns_per_item = 0;
  };
  std::map<std::string, Figure> figures_;
};

}  // namespace crmsync::bench

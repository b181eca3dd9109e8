// crmsync-micro-bench: every pipeline stage next to its floor measured in the
// same binary (see bench/RESULTS.md). Google Benchmark flags apply, e.g.
// --benchmark_filter=graph --benchmark_min_time=0.2.
#include <iostream>

#include <benchmark/benchmark.h>

#include "ratio_reporter.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  crmsync::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::cout << reporter.RatioTable();
  benchmark::Shutdown();
  return 0;
}

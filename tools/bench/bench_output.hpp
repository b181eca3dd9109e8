// crmsync-bench's printed table and its JSON document (--json).
#pragma once

#include <string>
#include <vector>

#include "bench_types.hpp"

namespace crmsync::bench {

std::string ModeName(Mode mode);
std::string Table(const Options& options, const std::vector<Measurement>& results);
std::string Json(const Options& options, const std::vector<Measurement>& results);

}  // namespace crmsync::bench

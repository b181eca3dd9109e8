#include "stream_plan.hpp"

namespace crmsync::engine {

std::vector<PlannedStream> InterleaveTenants(std::vector<std::vector<PlannedStream>> per_tenant) {
  std::size_t total = 0;
  for (const auto& list : per_tenant) total += list.size();
  std::vector<PlannedStream> out;
  out.reserve(total);
  for (std::size_t i = 0; out.size() < total; ++i) {
    for (auto& list : per_tenant) {
      if (i < list.size()) out.push_back(list[i]);
    }
  }
  return out;
}

}  // namespace crmsync::engine

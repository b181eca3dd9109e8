// The streams of a run (one per selected user and stream kind) as small
// index records in launch order. A stream's URL and cursor are not part of
// its plan: the run builds the URL and reads the cursor when it launches the
// stream, so what a run holds per planned stream is a few bytes, whatever
// the number of users.
#pragma once

#include <cstdint>
#include <vector>

namespace crmsync::engine {

struct PlannedStream {
  std::uint32_t tenant = 0;   // index into the run's tenants
  std::uint32_t user = 0;     // index into the tenant's directory users
  std::uint16_t kind = 0;     // index into the tenant's stream kinds
  bool restarted = false;     // after a 410, once per run (written by the stream's own page only)
  bool operator==(const PlannedStream&) const = default;
};
static_assert(sizeof(PlannedStream) <= 12, "a planned stream stays an index record");

// The launch order over tenants: round-robin, the i-th stream of every
// tenant before any tenant's (i+1)-th, so that every organization makes
// progress. Consumes `per_tenant`.
std::vector<PlannedStream> InterleaveTenants(std::vector<std::vector<PlannedStream>> per_tenant);

}  // namespace crmsync::engine

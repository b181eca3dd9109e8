// The floors crmsync-bench compares API calls with, and the theoretical
// minimum makespan of a sync under the simulator's limits. The formulas are
// documented in bench/RESULTS.md ("Floors").
#pragma once

#include "bench_types.hpp"

namespace crmsync::bench {

// Salesforce sObject Collections take at most 200 records per request.
inline constexpr std::int64_t kRecordsPerWrite = 200;
// Addresses per batched CRM lookup (one Contact and one Lead query each).
inline constexpr std::int64_t kAddressesPerLookup = 500;
// Users per page of the mailbox directory listing (Graph $top maximum).
inline constexpr std::int64_t kUsersPerPage = 999;

// Fills phase.calls (sums of the tenants' counters) and phase.floor. With a
// warm CRM cache (`cold_cache` false: a run after the first) every address may
// already be known, so the lookup floor is zero.
void ComputeFloors(const Options& options, Phase& phase, bool cold_cache = true);

// The minimum wall time of `full` under `limits`: the longest chain of
// dependent calls at the minimum latency, or the busiest rate or
// concurrency limit, whichever is larger.
// With `in_flight` > 0 it also gives the ideal engine capped at that many
// requests in flight (IdealCappedMakespan) and the measured ratio to it.
Makespan MinimumMakespan(const LimitsProfile& limits, const Phase& full, std::int64_t in_flight = 0);

// The mean makespan of `full` for an ideal engine (no CPU cost, every request
// sent the moment its dependencies allow, no connection limit) when each
// request's latency is uniform in [latency_min_ms, latency_max_ms]: the same
// chain as MinimumMakespan, with the streams' pages drawn independently and the
// slowest stream deciding, averaged over `trials` seeded draws (deterministic).
// The rate and concurrency bounds are scaled by the mean latency. 0 without a
// limits profile.
double IdealExpectedMakespan(const LimitsProfile& limits, const Phase& full, int trials = 64);

// The same ideal engine with at most `in_flight` requests on the wire at once
// (0: no cap), as an HTTP/1.1 client has with that many streams and
// connections (one request per connection). The same draws as
// IdealExpectedMakespan, so a cap of at least the streams gives its figure.
double IdealCappedMakespan(const LimitsProfile& limits, const Phase& full, std::int64_t in_flight, int trials = 64);

}  // namespace crmsync::bench

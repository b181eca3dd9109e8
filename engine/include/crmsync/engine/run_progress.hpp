// Live counters of one run, written by the flow graph and read by a progress
// reporter on another thread while the run goes on; the run report, not
// these, is the record of what a run did. Every member is an atomic: any
// thread may read or write any of them at any time.
#pragma once

#include <atomic>
#include <cstdint>

namespace crmsync::engine {

// Why a run stops launching new pages before it reached the end of its mail.
enum class StopReason : int {
  kNone = 0,
  kDeadline = 1,   // --max-duration elapsed
  kSignal = 2,     // SIGTERM / SIGINT
};

struct RunProgress {
  std::atomic<std::uint64_t> users_total{0};      // users with at least one stream this run
  std::atomic<std::uint64_t> users_done{0};       // every stream of the user ended (read, failed or stopped)
  std::atomic<std::uint64_t> streams_total{0};
  std::atomic<std::uint64_t> streams_done{0};
  std::atomic<std::uint64_t> messages_read{0};
  std::atomic<std::uint64_t> captured{0};         // records written and acknowledged
  std::atomic<std::uint64_t> errors{0};           // failed streams and failed writes
  std::atomic<bool> planned{false};               // totals are known (tenants connected)
};

}  // namespace crmsync::engine

// Backpressure from the Salesforce writes to the mailbox reads: a tenant's
// streams wait before fetching their next page while more than `limit` of
// its records wait in the batcher to be written, so that reading never runs
// ahead of writing by more than that and a run's memory does not grow with
// the number of messages. Thread-safe: streams ask from any node, the
// coordinator (which owns the batchers) updates the counts and submits what
// it releases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace crmsync::engine {

// A page request of a stream that waits for the writes.
struct HeldPage {
  std::size_t stream = 0;
  std::uint64_t seq = 0;
  std::string url;
};

class WriteBackpressure {
 public:
  WriteBackpressure(std::size_t tenants, std::size_t limit);

  // Keeps `page` (moved from) and answers true when `tenant` has `limit` or
  // more records waiting and its writes are moving; false: send it now
  // (`page` untouched).
  bool HoldIfFull(std::size_t tenant, HeldPage& page);

  // Coordinator, after each flush: `tenant`'s records waiting in its
  // batcher, and whether its writes are stalled (nothing in flight, so no
  // write will complete to lower the count: a suspended tenant, a refused
  // writer's lane). Returns the pages to send now, in the order they were
  // held: all of them when below the limit or stalled.
  std::vector<HeldPage> Update(std::size_t tenant, std::size_t waiting, bool stalled);

  std::size_t limit() const { return limit_; }
  std::size_t held() const;

 private:
  struct Tenant {
    std::size_t waiting = 0;
    bool stalled = false;
    std::deque<HeldPage> held;
  };
  bool Full(const Tenant& tenant) const { return !tenant.stalled && tenant.waiting >= limit_; }

  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::vector<Tenant> tenants_;
};

}  // namespace crmsync::engine

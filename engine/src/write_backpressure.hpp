// Backpressure from the Salesforce writes and from the coordinator to the
// mailbox reads: a tenant's streams wait before fetching their next page
// while more than `record_limit` of its records wait in the batcher to be
// written, and every stream waits while `page_limit` pages are on their way
// to the coordinator (fetched, parsed, classified, resolving). Reading never
// runs ahead of the rest by more than that, so a run's memory does not grow
// with the number of messages. Thread-safe: streams ask from any node, the
// coordinator (which owns the batchers) updates the counts and submits what
// it releases.
#pragma once

#include <atomic>
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
  WriteBackpressure(std::size_t tenants, std::size_t record_limit, std::size_t page_limit);

  // The run's count of pages sent and not yet at the coordinator, read under
  // this object's lock (so a hold never misses the release that follows a
  // decrement). Must outlive this object.
  using PageCount = std::atomic<std::int64_t>;

  // Keeps `page` (moved from) and answers true when `pages_upstream` reaches
  // the page limit, or `tenant` has `record_limit` or more records waiting
  // and its writes are moving; false: send it now (`page` untouched).
  bool HoldIfFull(std::size_t tenant, HeldPage& page, const PageCount& pages_upstream);

  // Coordinator, after each flush: `tenant`'s records waiting in its
  // batcher, whether its writes are stalled (nothing in flight, so no write
  // will complete to lower the count: a suspended tenant, a refused writer's
  // lane), and the pages upstream. Returns the pages to send now, in the
  // order they were held: all of them once neither limit holds them.
  std::vector<HeldPage> Update(std::size_t tenant, std::size_t waiting, bool stalled, const PageCount& pages_upstream);
  // Every held page (the run stops or failed).
  std::vector<HeldPage> ReleaseAll();

  std::size_t held() const;

  // The run's stream window moved (stream_window.hpp): the page limit follows
  // it. Held pages go on at the coordinator's next Update.
  void SetPageLimit(std::size_t page_limit) { page_limit_.store(page_limit, std::memory_order_relaxed); }

 private:
  struct Tenant {
    std::size_t waiting = 0;
    bool stalled = false;
    std::deque<HeldPage> held;
  };
  bool Full(const Tenant& tenant, const PageCount& pages_upstream) const {
    return pages_upstream.load() >= static_cast<std::int64_t>(page_limit_.load(std::memory_order_relaxed)) ||
           (!tenant.stalled && tenant.waiting >= record_limit_);
  }

  const std::size_t record_limit_;
  std::atomic<std::size_t> page_limit_;
  mutable std::mutex mutex_;
  std::vector<Tenant> tenants_;
};

}  // namespace crmsync::engine

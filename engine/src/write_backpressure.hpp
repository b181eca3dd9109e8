// Backpressure from the Salesforce writes and from the coordinator to the
// mailbox reads: a tenant's streams wait before fetching their next page
// while more than `record_limit` of its records wait in the batcher to be
// written, and every stream waits while `page_limit` fetched pages are on
// their way to the coordinator (parsed, classified, resolving). Reading never
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

// The run's pages between the mail source and the coordinator, counted
// twice. `requested`: sent and not yet consumed by the coordinator (none
// left: the coordinator flushes its partial batches). `fetched`: of those,
// the answered ones, each holding a page in memory: what the page limit
// bounds. A request still on the wire holds nothing, and counting it would
// keep fewer requests in flight than the stream window whenever fetched
// pages wait on the network too (CRM lookups): by about a third in limits mode.
struct PagesUpstream {
  std::atomic<std::int64_t> requested{0};
  std::atomic<std::int64_t> fetched{0};

  void Sent() { ++requested; }
  void Fetched() { ++fetched; }
  // A fetched page reached the coordinator or left the pipeline; true when
  // no page request is left upstream.
  bool Left() {
    --fetched;
    return --requested == 0;
  }
};

class WriteBackpressure {
 public:
  WriteBackpressure(std::size_t tenants, std::size_t record_limit, std::size_t page_limit);

  // Keeps `page` (moved from) and answers true when the fetched pages of
  // `pages` reach the page limit, or `tenant` has `record_limit` or more
  // records waiting and its writes are moving; false: send it now (`page`
  // untouched). `pages` is read under this object's lock (so a hold never
  // misses the release that follows a decrement) and must outlive it.
  bool HoldIfFull(std::size_t tenant, HeldPage& page, const PagesUpstream& pages);

  // Coordinator, after each flush: `tenant`'s records waiting in its
  // batcher, whether its writes are stalled (nothing in flight, so no write
  // will complete to lower the count: a suspended tenant, a refused writer's
  // lane), and the pages upstream. Returns the pages to send now, in the
  // order they were held: all of them once neither limit holds them.
  std::vector<HeldPage> Update(std::size_t tenant, std::size_t waiting, bool stalled, const PagesUpstream& pages);
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
  bool Full(const Tenant& tenant, const PagesUpstream& pages) const {
    return pages.fetched.load() >= static_cast<std::int64_t>(page_limit_.load(std::memory_order_relaxed)) ||
           (!tenant.stalled && tenant.waiting >= record_limit_);
  }

  const std::size_t record_limit_;
  std::atomic<std::size_t> page_limit_;
  mutable std::mutex mutex_;
  std::vector<Tenant> tenants_;
};

}  // namespace crmsync::engine

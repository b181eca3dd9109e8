// How many mailbox streams a run reads at once. Mail services answer in tens
// to hundreds of milliseconds, so a fixed number of streams either leaves the
// workers waiting on the network (too few) or fills memory with pages that
// wait for the workers (too many, when the service answers at once). The
// window starts at `initial` and follows the workers:
// - a page that reaches them while at most `starved_at_most` pages are being
//   parsed and classified (every worker has at most one) finds them waiting
//   on the network: one more stream is launched, up to `ceiling`;
// - a stream that ends while `busy_from` or more pages wait for them is not
//   replaced, down to `initial`: more requests would only hold more pages.
// Thread-safe: pages arrive and streams end on any worker.
#pragma once

#include <atomic>
#include <cstddef>

namespace crmsync::engine {

struct StreamWindowLimits {
  std::size_t initial = 64;
  std::size_t ceiling = 64;
  std::size_t starved_at_most = 2;
  std::size_t busy_from = 8;
};

class StreamWindow {
 public:
  explicit StreamWindow(StreamWindowLimits limits);

  // A page reached the workers; `processing` pages (this one included) are
  // being parsed and classified. True: the window grew, launch one more stream.
  bool PageArrived(std::size_t processing);
  // A stream ended with `processing` pages being parsed and classified. True:
  // launch its replacement; false: the window shrank by one.
  bool StreamEnded(std::size_t processing);

  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  std::size_t peak() const { return peak_.load(std::memory_order_relaxed); }

 private:
  const StreamWindowLimits limits_;
  std::atomic<std::size_t> size_;
  std::atomic<std::size_t> peak_;
};

}  // namespace crmsync::engine

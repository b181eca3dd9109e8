#include "stream_window.hpp"

#include <algorithm>

namespace crmsync::engine {

StreamWindow::StreamWindow(StreamWindowLimits limits)
    : limits_{limits.initial, std::max(limits.ceiling, limits.initial), limits.starved_at_most,
              std::max(limits.busy_from, limits.starved_at_most + 1)},
      size_(limits.initial),
      peak_(limits.initial) {}

bool StreamWindow::PageArrived(std::size_t processing) {
  if (processing > limits_.starved_at_most) return false;
  std::size_t size = size_.load(std::memory_order_relaxed);
  do {
    if (size >= limits_.ceiling) return false;
  } while (!size_.compare_exchange_weak(size, size + 1, std::memory_order_relaxed));
  std::size_t peak = peak_.load(std::memory_order_relaxed);
  while (size + 1 > peak && !peak_.compare_exchange_weak(peak, size + 1, std::memory_order_relaxed)) {
  }
  return true;
}

bool StreamWindow::StreamEnded(std::size_t processing) {
  if (processing < limits_.busy_from) return true;
  std::size_t size = size_.load(std::memory_order_relaxed);
  do {
    if (size <= limits_.initial) return true;
  } while (!size_.compare_exchange_weak(size, size - 1, std::memory_order_relaxed));
  return false;
}

}  // namespace crmsync::engine

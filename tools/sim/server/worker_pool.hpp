// Threads for handlers that block. A simulated request sleeps out 60-120 ms of
// latency inside its handler, so the HTTP/2 server cannot run handlers on its
// I/O threads nor on a fixed pool: a task that finds no idle worker starts one
// more (up to a cap), and idle workers wait to be reused.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace crmsync::sim {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_threads);
  // Stop().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs task on an idle worker, on a new one while below the cap, else when
  // a worker frees up. Thread-safe. Ignored after Stop().
  void Submit(std::function<void()> task);
  // Discards tasks not yet started, waits for the running ones and joins
  // every worker. Idempotent; not to be called from a task.
  void Stop();
  // Workers started so far (idle or busy).
  std::size_t threads() const;

 private:
  void Work();

  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> workers_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace crmsync::sim

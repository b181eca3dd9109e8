#include "worker_pool.hpp"

#include <algorithm>
#include <utility>

namespace crmsync::sim {

WorkerPool::WorkerPool(std::size_t max_threads) : max_threads_(std::max<std::size_t>(1, max_threads)) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  queue_.push_back(std::move(task));
  // Idle workers already woken for earlier tasks are spoken for.
  if (idle_ >= queue_.size() || workers_.size() >= max_threads_) {
    lock.unlock();
    wake_.notify_one();
    return;
  }
  workers_.emplace_back([this] { Work(); });
}

void WorkerPool::Stop() {
  std::vector<std::thread> workers;
  std::deque<std::function<void()>> discarded;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    discarded.swap(queue_);
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (std::thread& worker : workers) worker.join();
  // Destroyed outside the lock: a task may own what its destructor locks.
  discarded.clear();
}

std::size_t WorkerPool::threads() const {
  std::lock_guard lock(mutex_);
  return workers_.size();
}

void WorkerPool::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (stopping_) return;
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    task = nullptr;   // released before the lock: it may hold a connection
    lock.lock();
  }
}

}  // namespace crmsync::sim

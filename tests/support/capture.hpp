// Waiting for callback-delivered results without hanging a test.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <utility>

namespace crmsync::testing {

// A callback and the future it fulfils; wait on the future with kWaitLimit so
// a lost callback fails the test instead of hanging it.
template <class T>
std::pair<std::function<void(T)>, std::future<T>> Capture() {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  return {[promise](T value) { promise->set_value(std::move(value)); }, std::move(future)};
}

inline constexpr std::chrono::seconds kWaitLimit{10};

}  // namespace crmsync::testing

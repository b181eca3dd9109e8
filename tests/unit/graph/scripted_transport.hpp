// Test doubles for the connector clients: a Transport that answers from a
// script on its own thread (like the curl loop, completions never run on the
// caller's thread) and a TokenProvider that counts refreshes.
// Shared by tests/unit/graph and tests/unit/salesforce.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::testing {

inline http::Response Reply(long status, std::string body, http::Headers headers = {}) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

inline http::Response TransportFailure(http::TransportError error, std::string message) {
  http::Response response;
  response.error = error;
  response.error_message = std::move(message);
  return response;
}

class ScriptedTransport : public http::Transport {
 public:
  // Called on the transport thread for every request, in submission order.
  using Responder = std::function<http::Response(const http::Request&)>;

  explicit ScriptedTransport(Responder responder)
      : responder_(std::move(responder)), worker_([this] { Run(); }) {}

  ~ScriptedTransport() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  void Submit(http::Request request, http::Completion done) override {
    {
      std::lock_guard lock(mutex_);
      queue_.emplace_back(std::move(request), std::move(done));
    }
    wake_.notify_all();
  }

  std::vector<http::Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void Run() {
    for (;;) {
      std::pair<http::Request, http::Completion> item;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
        requests_.push_back(item.first);
      }
      http::Response response = responder_(item.first);
      item.second(std::move(response));
    }
  }

  Responder responder_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<http::Request, http::Completion>> queue_;
  std::vector<http::Request> requests_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts after the members it uses
};

// Hands out "token-<generation>"; Invalidate() of the current token moves to
// the next generation, as a real provider re-grants after a 401.
class FakeTokenProvider : public auth::TokenProvider {
 public:
  explicit FakeTokenProvider(std::string instance_url = {})
      : instance_url_(std::move(instance_url)) {}

  void Get(auth::TokenCallback done) override {
    std::string value;
    {
      std::lock_guard lock(mutex_);
      if (!failure_.ok()) {
        Status failure = failure_;
        ++grants_;
        done(std::move(failure));
        return;
      }
      value = "token-" + std::to_string(generation_);
    }
    done(auth::AccessToken{value, instance_url_});
  }

  void Invalidate(const std::string& stale) override {
    std::lock_guard lock(mutex_);
    ++invalidations_;
    if (stale == "token-" + std::to_string(generation_)) {
      ++generation_;
      ++grants_;
    }
  }

  std::uint64_t grants() const override {
    std::lock_guard lock(mutex_);
    return grants_;
  }
  int invalidations() const {
    std::lock_guard lock(mutex_);
    return invalidations_;
  }
  void FailWith(Status status) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(status);
  }

 private:
  std::string instance_url_;
  mutable std::mutex mutex_;
  int generation_ = 1;
  std::uint64_t grants_ = 1;
  int invalidations_ = 0;
  Status failure_;
};

// Waits for a callback-delivered result; fails the test instead of hanging.
template <class T>
std::pair<std::function<void(T)>, std::future<T>> Capture() {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  return {[promise](T value) { promise->set_value(std::move(value)); }, std::move(future)};
}

inline constexpr std::chrono::seconds kWaitLimit{10};

}  // namespace crmsync::testing

// Helpers for the transport tests: a gate that server handlers wait on (so a
// test decides when a slow response may finish) and a local port that refuses
// connections. Temporary directories: tests/support/temp_dir.hpp.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace crmsync::testing {

// Handlers call Wait(); the test calls Open(). Arrivals are counted so a test
// can wait until requests are really in flight at the server.
class Gate {
 public:
  void Wait(std::chrono::milliseconds limit = std::chrono::seconds(10));
  void Open();
  // True when `count` handlers have entered Wait() within `limit`.
  bool AwaitArrivals(int count, std::chrono::milliseconds limit = std::chrono::seconds(10));

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int arrivals_ = 0;
};

// A bound but not listening TCP socket on 127.0.0.1: connecting to its port
// is refused, and no other process can take the port while it lives.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace crmsync::testing

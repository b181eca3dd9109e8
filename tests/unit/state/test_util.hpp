// Shared helpers of the state tests.
#pragma once

#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/state/store.hpp"
#include "temp_dir.hpp"

namespace crmsync::state::testing {

using ::crmsync::testing::TempDir;

// A forked child that is SIGKILLed and reaped when the test ends early, so a
// failed REQUIRE never leaves a process behind.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void Kill() { ::kill(pid_, SIGKILL); }
  // Reaps the child and returns its wait status.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

// Reads exactly `size` bytes from `fd`, waiting at most `timeout_ms` for each
// chunk. Returns the bytes read: fewer than `size` on EOF, timeout or error.
inline std::size_t ReadWithTimeout(int fd, void* buf, std::size_t size, int timeout_ms) {
  std::size_t done = 0;
  while (done < size) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    ssize_t n = ::read(fd, static_cast<char*>(buf) + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

// Writes all of `buf` to `fd`; false on error (e.g. the reader is gone).
inline bool WriteAll(int fd, const void* buf, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, static_cast<const char*>(buf) + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

inline const Status& StatusOf(const Status& s) { return s; }
template <class T>
const Status& StatusOf(const Result<T>& r) { return r.status(); }

}  // namespace crmsync::state::testing

// REQUIRE that a Status or Result is ok, printing the status when it is not.
#define REQUIRE_OK(expr)                                                  \
  do {                                                                    \
    const auto& require_ok_value_ = (expr);                               \
    INFO(::crmsync::state::testing::StatusOf(require_ok_value_).ToString()); \
    REQUIRE(require_ok_value_.ok());                                      \
  } while (false)

namespace crmsync::state::testing {

// Opens a store in `dir`, REQUIRE-ing that it opens.
inline std::unique_ptr<Store> OpenStore(const TempDir& dir) {
  auto store = Store::Open(dir.path());
  REQUIRE_OK(store);
  return std::move(store).value();
}

}  // namespace crmsync::state::testing

// Store::Open refuses clearly, and without waiting, what it cannot use.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using Catch::Matchers::Contains;
using testing::ChildProcess;
using testing::TempDir;

constexpr int kTimeoutMs = 30'000;

TEST_CASE("state: a second open of a directory in use fails with kIo naming it", "[state]") {
  TempDir dir;
  auto first = Store::Open(dir.path());
  REQUIRE_OK(first);
  auto second = Store::Open(dir.path());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kIo);
  CHECK_THAT(second.status().message(), Contains("in use by another crmsync process"));
  CHECK_THAT(second.status().message(), Contains(dir.path()));
  // The refused opener left the holder's files alone (RocksDB would have
  // rotated the holder's info LOG to LOG.old.* before checking its LOCK).
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK_THAT(entry.path().filename().string(), !Contains("LOG.old"));
  }

  // Closing releases the directory.
  first.value().reset();
  auto third = Store::Open(dir.path());
  REQUIRE_OK(third);
}

TEST_CASE("state: a directory held by another process fails with kIo and never waits", "[state]") {
  TempDir dir;
  int ready[2];
  int release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(ready[0]);
    ::close(release[1]);
    auto store = Store::Open(dir.path());
    char byte = store.ok() ? 'y' : 'n';
    testing::WriteAll(ready[1], &byte, 1);
    // Hold the directory until the parent closes its end.
    testing::ReadWithTimeout(release[0], &byte, 1, kTimeoutMs);
    ::_exit(store.ok() ? 0 : 1);
  }
  ::close(ready[1]);
  ::close(release[0]);
  ChildProcess child(pid);
  char byte = 0;
  REQUIRE(testing::ReadWithTimeout(ready[0], &byte, 1, kTimeoutMs) == 1);
  REQUIRE(byte == 'y');

  auto busy = Store::Open(dir.path());
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.status().code() == StatusCode::kIo);
  CHECK_THAT(busy.status().message(), Contains("in use by another crmsync process"));
  CHECK_THAT(busy.status().message(), Contains(dir.path()));

  ::close(release[1]);
  int status = child.Wait();
  ::close(ready[0]);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto free_again = Store::Open(dir.path());
  REQUIRE_OK(free_again);
}

TEST_CASE("state: a path that is a file, or below a file, fails with kIo naming it", "[state]") {
  TempDir dir;
  const std::string file = dir.Sub("not-a-dir");
  std::ofstream(file) << "x";

  auto on_file = Store::Open(file);
  REQUIRE_FALSE(on_file.ok());
  CHECK(on_file.status().code() == StatusCode::kIo);
  CHECK_THAT(on_file.status().message(), Contains(file));

  const std::string below = file + "/state";
  auto below_file = Store::Open(below);
  REQUIRE_FALSE(below_file.ok());
  CHECK(below_file.status().code() == StatusCode::kIo);
  CHECK_THAT(below_file.status().message(), Contains(below));
}

TEST_CASE("state: a directory that is not writable fails with kIo naming it", "[state]") {
  if (::geteuid() == 0) {
    WARN("skipped: root ignores directory permissions");
    return;
  }
  TempDir dir;
  const std::string ro = dir.Sub("read-only");
  REQUIRE(::mkdir(ro.c_str(), 0500) == 0);
  auto store = Store::Open(ro);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kIo);
  CHECK_THAT(store.status().message(), Contains(ro));
}

TEST_CASE("state: open creates missing parent directories", "[state]") {
  TempDir dir;
  const std::string nested = dir.Sub("a/b/state");
  auto store = Store::Open(nested, StoreOptions{.sync = true});
  REQUIRE_OK(store);
  REQUIRE_OK(store.value()->PutRun("20261123T221500Z-1-1", "{}"));
}

TEST_CASE("state: an empty path is an invalid argument", "[state]") {
  auto store = Store::Open("");
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crmsync::state

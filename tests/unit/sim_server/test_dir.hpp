// A fresh directory under the build tree, removed when the test ends.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace crmsync::sim::test {

class TestDir {
 public:
  explicit TestDir(const std::string& name) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::path(CRMSYNC_BINARY_DIR) / "test-tmp" /
            (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  std::string str() const { return path_.string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace crmsync::sim::test

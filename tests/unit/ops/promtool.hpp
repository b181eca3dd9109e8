// Runs Debian's promtool (package prometheus, installed by tools/install-deps)
// on an exposition text. Private to the ops tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace crmsync::ops_test {

inline bool HavePromtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

// `promtool check metrics < file`: 0 ok, 3 lint problems, 1 parse error.
inline PromtoolResult PromtoolCheck(const std::string& metrics_file) {
  PromtoolResult result;
  const std::string command = "promtool check metrics < '" + metrics_file + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace crmsync::ops_test

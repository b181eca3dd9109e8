#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace crmsync::testing {

// Reads tests/data/<relative>; an unreadable file yields "" (and fails the test
// through the parser's empty-body error rather than crashing).
inline std::string ReadTestData(const std::string& relative) {
  std::ifstream in(std::string(CRMSYNC_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace crmsync::testing

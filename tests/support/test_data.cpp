#include "test_data.hpp"

#include <fstream>
#include <sstream>

namespace crmsync::testing {

std::string ReadTestData(const std::string& relative) {
  std::ifstream in(std::string(CRMSYNC_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace crmsync::testing

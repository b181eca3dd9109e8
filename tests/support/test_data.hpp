#pragma once

#include <string>

namespace crmsync::testing {

// Reads tests/data/<relative>; an unreadable file yields "" (and fails the test
// through the parser's empty-body error rather than crashing).
std::string ReadTestData(const std::string& relative);

}  // namespace crmsync::testing

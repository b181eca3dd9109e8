// Text helpers of the simulated Salesforce: case folding as Salesforce
// compares emails and external ids, code-point lengths as field limits count
// them, and the form encoding of the OAuth token endpoint.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace crmsync::sim::sf {

// ASCII case folding; bytes >= 0x80 are kept, so UTF-8 stays valid.
std::string AsciiLower(std::string_view text);
bool EqualsNoCase(std::string_view a, std::string_view b);

// Unicode code points of UTF-8 text (counts lead bytes).
std::size_t CodePointCount(std::string_view text);

// application/x-www-form-urlencoded: '+' is a space, %XX a byte. A malformed
// escape is kept literally, as lenient servers do. First value of a name wins.
std::map<std::string, std::string> ParseForm(std::string_view body);

}  // namespace crmsync::sim::sf

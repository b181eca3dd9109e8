// JSON string output (simdjson 3.0.1 has no builder, fmt no JSON escaping).
#pragma once

#include <string>
#include <string_view>

namespace crmsync::json {

// Appends `text` as a quoted JSON string: '"' and '\\' escaped, control
// characters as \n \r \t \b \f or \u00XX, valid UTF-8 copied as is, and each
// maximal invalid UTF-8 subsequence replaced by U+FFFD (Unicode §3.9).
void AppendJsonString(std::string& out, std::string_view text);

// `text` as a quoted JSON string, escaped as by AppendJsonString.
std::string JsonQuote(std::string_view text);

}  // namespace crmsync::json

// On-Demand plumbing for the Salesforce parsers: one parser per thread and a
// padded copy of the input (simdjson reads SIMDJSON_PADDING bytes past the end).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"

namespace crmsync::salesforce::detail {

namespace od = simdjson::ondemand;

// The calling thread's parser; a parse must copy out what it needs before
// the next parse on this thread.
od::parser& ThreadParser();

// Thread-local padded copy of `body`, valid until the next call on this thread.
simdjson::padded_string_view PadInput(std::string_view body);

// After the root value was fully read: anything left ("[...]]", "{...} x")?
// simdjson 3.0.1 On-Demand does not check this by itself.
bool HasTrailingContent(od::document& doc);

// kCorruption "<what>: <where>: expected <type>" for INCORRECT_TYPE when
// `expected` is given, otherwise "<what>: <where>: <simdjson explanation>".
Status JsonError(std::string_view what, std::string_view where, simdjson::error_code error,
                 std::string_view expected = {});

// Reads a string or null (null leaves `out` empty).
simdjson::error_code ReadNullableString(od::value& value, std::string& out);

}  // namespace crmsync::salesforce::detail

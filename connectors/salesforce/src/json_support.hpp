// Salesforce-specific helpers over the shared On-Demand plumbing of
// crmsync/json/on_demand.hpp (thread parser, padded input, trailing content).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"
#include "crmsync/json/on_demand.hpp"

namespace crmsync::salesforce::detail {

namespace od = simdjson::ondemand;

// kCorruption "<what>: <where>: expected <type>" for INCORRECT_TYPE when
// `expected` is given, otherwise "<what>: <where>: <simdjson explanation>".
Status JsonError(std::string_view what, std::string_view where, simdjson::error_code error,
                 std::string_view expected = {});

// Reads a string or null (null leaves `out` empty).
simdjson::error_code ReadNullableString(od::value& value, std::string& out);

}  // namespace crmsync::salesforce::detail

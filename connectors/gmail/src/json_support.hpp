// Typed reads for the Gmail parsers: the generic readers of
// crmsync/json/readers.hpp plus the Gmail-only ReadIdString. A reader reports
// its path relative to the value it was given; each enclosing level prepends
// its own segment, so errors read "messages[2].id: expected string".
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"
#include "crmsync/json/on_demand.hpp"
#include "crmsync/json/readers.hpp"

namespace crmsync::gmail::detail {

namespace od = simdjson::ondemand;
// The generic readers (Describe, ForEachElement, ReadString, ...). A Gmail
// top-level visitor's error comes back nested under its key, so its parsers
// use ForEachTopLevelFieldNested.
using namespace json;

// A string, or a number written as one (Gmail ids and historyIds are strings,
// but a numeric form is accepted); null leaves `out` untouched.
Status ReadIdString(od::value& value, std::string& out);

}  // namespace crmsync::gmail::detail

// Typed reads for the Graph parsers: the generic readers of
// crmsync/json/readers.hpp (Nest, Describe, ReadString, ...) plus the
// Graph-only recipient readers.
//
// Error paths are built only on failure: a reader reports the path relative
// to the value it was given ("emailAddress.address: expected string"), and
// each enclosing level prepends its own segment with Nest().
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/json/on_demand.hpp"
#include "crmsync/json/readers.hpp"

namespace crmsync::graph::detail {

namespace od = simdjson::ondemand;

// The generic readers (Nest, Describe, CheckNull, ReadString, ...). Graph's
// top-level visitors name their own path ("value[2].id"), so its parsers use
// ForEachTopLevelField; readers accept null wherever Graph may send it.
using namespace json;

// {"emailAddress":{"name":..,"address":..}}; null allowed at both levels.
Status ReadRecipient(od::value& value, Participant& out);
// [recipient, ...] or null; a null entry inside the list is malformed.
Status ReadRecipientArray(od::value& value, std::vector<Participant>& out);

}  // namespace crmsync::graph::detail

// Shared On-Demand plumbing for the Graph parsers: one parser per thread, a
// padded copy of the input (simdjson reads up to SIMDJSON_PADDING bytes past
// the end), and typed reads of optional properties.
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

namespace crmsync::graph::detail {

namespace od = simdjson::ondemand;

// The calling thread's parser. A document borrows it until the next parse on
// this thread, so a parse must copy out what it needs before another starts.
od::parser& ThreadParser();

// Copies `body` into a thread-local buffer with SIMDJSON_PADDING spare bytes.
// The view stays valid until the next call on this thread.
simdjson::padded_string_view PadInput(std::string_view body);

// After the root value was fully read: anything left ("{...}}", "{...} x")?
// simdjson 3.0.1 On-Demand does not check this by itself.
bool HasTrailingContent(od::document& doc);

// kCorruption "<where>: expected <type>" for INCORRECT_TYPE (when `expected`
// is given), otherwise "<where>: <simdjson explanation>". `where` may be
// empty when the value itself is at fault.
Status JsonError(std::string_view where, simdjson::error_code error,
                 std::string_view expected = {});
// Prepends a path segment ("value[3]", "toRecipients") to a relative error.
Status Nest(std::string_view segment, const Status& inner);
Status NestIndex(std::size_t index, const Status& inner);
// Final message: "<what>: <path>: <problem>".
Status Describe(std::string_view what, const Status& inner);

// Readers accept null wherever Graph may send it, leaving `out` untouched.
Status CheckNull(od::value& value, bool* is_null);
Status ReadString(od::value& value, std::string& out);
Status ReadBool(od::value& value, bool& out);
Status ReadStringArray(od::value& value, std::vector<std::string>& out);
// {"emailAddress":{"name":..,"address":..}}; null allowed at both levels.
Status ReadRecipient(od::value& value, Participant& out);
// [recipient, ...] or null; a null entry inside the list is malformed.
Status ReadRecipientArray(od::value& value, std::vector<Participant>& out);

}  // namespace crmsync::graph::detail

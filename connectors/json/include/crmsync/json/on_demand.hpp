// simdjson On-Demand plumbing shared by the connector parsers: one parser per
// thread, a padded copy of the input (simdjson reads up to SIMDJSON_PADDING
// bytes past the end), the trailing-content check and kCorruption errors.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "crmsync/core/status.hpp"
#include "crmsync/json/body.hpp"

namespace crmsync::json {

namespace od = simdjson::ondemand;

// The calling thread's parser. A document borrows it until the next parse on
// this thread, so a parse must copy out what it needs before another starts.
od::parser& ThreadParser();

// While alive, ThreadParser() on the constructing thread is a parser of its
// own, released with it. For the few large documents of set-up (999-user
// directory pages): the thread's parser would otherwise grow to their size
// and keep that capacity for the rest of the run. Not movable; scopes nest.
class ScopedThreadParser {
 public:
  ScopedThreadParser();
  ~ScopedThreadParser();
  ScopedThreadParser(const ScopedThreadParser&) = delete;
  ScopedThreadParser& operator=(const ScopedThreadParser&) = delete;

 private:
  od::parser parser_;
  od::parser* previous_;
};

// Copies `body` into a thread-local buffer with SIMDJSON_PADDING spare bytes.
// The view stays valid until the next call on this thread.
simdjson::padded_string_view PadInput(std::string_view body);

// `body` itself when its readable bytes hold the padding (no copy), else
// PadInput(body.text) with PadInput's lifetime.
simdjson::padded_string_view Padded(const Body& body);

// After the root value was fully read: anything left ("{...}}", "[...]]",
// "{...} x")? simdjson 3.0.1 On-Demand does not check this by itself.
bool HasTrailingContent(od::document& doc);

// kCorruption "<where>: expected <type>" for INCORRECT_TYPE (when `expected`
// is given), otherwise "<where>: <simdjson explanation>".
Status JsonError(std::string_view where, simdjson::error_code error,
                 std::string_view expected = {});

}  // namespace crmsync::json

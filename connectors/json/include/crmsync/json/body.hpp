// A JSON text to parse, and how many bytes from its start may be read.
// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input: a
// std::string whose spare capacity covers that (the HTTP transport reserves
// it for every response with a Content-Length) is parsed in place; any other
// text is copied into a padded buffer first (on_demand.hpp, PadInput).
// Light on purpose (no simdjson): connector headers take it as a parameter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmsync::json {

struct Body {
  // Implicit, so that the parsers take a std::string, a view or a literal.
  Body(const std::string& s) : text(s), readable(s.capacity()) {}
  Body(std::string_view s) : text(s), readable(s.size()) {}
  Body(const char* s) : Body(std::string_view(s)) {}

  std::string_view text;
  // Bytes from text.data() that are allocated and may be read (>= text.size()).
  std::size_t readable = 0;
};

}  // namespace crmsync::json

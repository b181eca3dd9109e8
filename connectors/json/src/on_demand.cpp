#include "crmsync/json/on_demand.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace crmsync::json {

namespace {

// The ScopedThreadParser in force on this thread, if any.
thread_local od::parser* scoped_parser = nullptr;

}  // namespace

od::parser& ThreadParser() {
  thread_local od::parser parser;
  return scoped_parser != nullptr ? *scoped_parser : parser;
}

ScopedThreadParser::ScopedThreadParser() : previous_(scoped_parser) { scoped_parser = &parser_; }

ScopedThreadParser::~ScopedThreadParser() { scoped_parser = previous_; }

simdjson::padded_string_view PadInput(std::string_view body) {
  thread_local std::string buffer;
  const std::size_t capacity = body.size() + simdjson::SIMDJSON_PADDING;
  if (buffer.size() < capacity) buffer.resize(capacity);
  if (!body.empty()) buffer.replace(0, body.size(), body.data(), body.size());
  // Stale bytes of an earlier, longer body must not follow this one.
  std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(body.size()),
            buffer.begin() + static_cast<std::ptrdiff_t>(capacity), ' ');
  return simdjson::padded_string_view(buffer.data(), body.size(), buffer.size());
}

simdjson::padded_string_view Padded(const Body& body) {
  if (body.readable >= body.text.size() + simdjson::SIMDJSON_PADDING) {
    return simdjson::padded_string_view(body.text.data(), body.text.size(), body.readable);
  }
  return PadInput(body.text);
}

bool HasTrailingContent(od::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::SUCCESS;
}

Status JsonError(std::string_view where, simdjson::error_code error, std::string_view expected) {
  if (error == simdjson::INCORRECT_TYPE && !expected.empty()) {
    return Status::Corruption(fmt::format("{}: expected {}", where, expected));
  }
  return Status::Corruption(fmt::format("{}: {}", where, simdjson::error_message(error)));
}

}  // namespace crmsync::json

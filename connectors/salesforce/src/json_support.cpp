#include "json_support.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace crmsync::salesforce::detail {

od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

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

bool HasTrailingContent(od::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::SUCCESS;
}

Status JsonError(std::string_view what, std::string_view where, simdjson::error_code error,
                 std::string_view expected) {
  if (error == simdjson::INCORRECT_TYPE && !expected.empty()) {
    return Status::Corruption(fmt::format("{}: {}: expected {}", what, where, expected));
  }
  return Status::Corruption(
      fmt::format("{}: {}: {}", what, where, simdjson::error_message(error)));
}

simdjson::error_code ReadNullableString(od::value& value, std::string& out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  if (type == od::json_type::null) {
    bool is_null = false;
    if (auto error = value.is_null().get(is_null)) return error;
    if (!is_null) return simdjson::N_ATOM_ERROR;
    out.clear();
    return simdjson::SUCCESS;
  }
  std::string_view text;
  if (auto error = value.get_string().get(text)) return error;
  out.assign(text);
  return simdjson::SUCCESS;
}

}  // namespace crmsync::salesforce::detail

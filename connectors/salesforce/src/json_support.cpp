#include "json_support.hpp"

#include <fmt/format.h>

namespace crmsync::salesforce::detail {

Status JsonError(std::string_view what, std::string_view where, simdjson::error_code error,
                 std::string_view expected) {
  return json::JsonError(fmt::format("{}: {}", what, where), error, expected);
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

#include "crmsync/json/readers.hpp"

#include <fmt/format.h>

namespace crmsync::json {

Status Nest(std::string_view segment, const Status& inner) {
  const std::string& message = inner.message();
  const bool attach = !message.empty() && (message[0] == ':' || message[0] == '[');
  return Status::Corruption(fmt::format("{}{}{}", segment, attach ? "" : ".", message));
}

Status NestIndex(std::size_t index, const Status& inner) {
  return Nest(fmt::format("[{}]", index), inner);
}

Status Describe(std::string_view what, const Status& inner) {
  const std::string& message = inner.message();
  if (!message.empty() && message[0] == ':') {
    return Status::Corruption(fmt::format("{}{}", what, message));
  }
  return Status::Corruption(fmt::format("{}: {}", what, message));
}

Status CheckNull(od::value& value, bool* is_null) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError("", error);
  *is_null = type == od::json_type::null;
  if (*is_null) {
    // is_null() validates the atom, so "nul" or "nullx" are rejected here.
    bool really_null = false;
    if (auto error = value.is_null().get(really_null)) return JsonError("", error);
    if (!really_null) return JsonError("", simdjson::N_ATOM_ERROR);
  }
  return Status::Ok();
}

Status ReadRequiredString(od::value& value, std::string& out) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError("", error, "string");
  out.assign(text);
  return Status::Ok();
}

// The readers below try the expected type first and look for null only
// when that fails: fields are rarely null, and On-Demand leaves a value
// readable after an INCORRECT_TYPE. Their errors are those of CheckNull
// followed by the typed read.
Status TypedOrNull(od::value& value, simdjson::error_code typed_read, bool* is_null, std::string_view expected) {
  *is_null = false;
  if (typed_read == simdjson::SUCCESS) return Status::Ok();
  if (typed_read != simdjson::INCORRECT_TYPE) return JsonError("", typed_read, expected);
  if (Status s = CheckNull(value, is_null); !s.ok() || *is_null) return s;
  return JsonError("", simdjson::INCORRECT_TYPE, expected);
}

Status ReadString(od::value& value, std::string& out) {
  std::string_view text;
  bool is_null = false;
  Status s = TypedOrNull(value, value.get_string().get(text), &is_null, "string");
  if (s.ok() && !is_null) out.assign(text);
  return s;
}

Status ReadStringView(od::value& value, std::string_view& out) {
  std::string_view text;
  bool is_null = false;
  Status s = TypedOrNull(value, value.get_string().get(text), &is_null, "string");
  if (s.ok() && !is_null) out = text;
  return s;
}

Status ReadBool(od::value& value, bool& out) {
  bool flag = false;
  bool is_null = false;
  Status s = TypedOrNull(value, value.get_bool().get(flag), &is_null, "boolean");
  if (s.ok() && !is_null) out = flag;
  return s;
}

Status ReadStringArray(od::value& value, std::vector<std::string>& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  return ForEachElement(value, [&out](od::value& element) {
    std::string_view text;
    if (auto error = element.get_string().get(text)) return JsonError("", error, "string");
    out.emplace_back(text);
    return Status::Ok();
  });
}

}  // namespace crmsync::json

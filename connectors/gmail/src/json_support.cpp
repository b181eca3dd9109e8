#include "json_support.hpp"

#include <fmt/format.h>

namespace crmsync::gmail::detail {

Status Nest(std::string_view segment, const Status& inner) {
  const std::string& m = inner.message();
  if (m.empty() || m.front() == ':') return Status::Corruption(fmt::format("{}{}", segment, m));
  if (m.front() == '[') return Status::Corruption(fmt::format("{}{}", segment, m));
  return Status::Corruption(fmt::format("{}.{}", segment, m));
}

Status NestIndex(std::size_t index, const Status& inner) {
  return Nest(fmt::format("[{}]", index), inner);
}

Status Describe(std::string_view what, const Status& inner) {
  return Status::Corruption(fmt::format("{}: {}", what, inner.message()));
}

namespace {

Status IsNull(od::value& value, bool& is_null) {
  if (auto error = value.is_null().get(is_null)) return JsonError("", error);
  return Status::Ok();
}

}  // namespace

Status ReadString(od::value& value, std::string& out) {
  bool is_null = false;
  if (Status s = IsNull(value, is_null); !s.ok() || is_null) return s;
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError("", error, "string");
  out.assign(text);
  return Status::Ok();
}

Status ReadIdString(od::value& value, std::string& out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError("", error);
  if (type == od::json_type::null) return Status::Ok();
  if (type == od::json_type::number) {
    std::uint64_t number = 0;
    if (auto error = value.get_uint64().get(number)) return JsonError("", error, "string");
    out = std::to_string(number);
    return Status::Ok();
  }
  return ReadString(value, out);
}

Status ReadBool(od::value& value, bool& out) {
  bool is_null = false;
  if (Status s = IsNull(value, is_null); !s.ok() || is_null) return s;
  if (auto error = value.get_bool().get(out)) return JsonError("", error, "boolean");
  return Status::Ok();
}

Status ReadStringArray(od::value& value, std::vector<std::string>& out) {
  bool is_null = false;
  if (Status s = IsNull(value, is_null); !s.ok() || is_null) return s;
  return ForEachElement(value, [&](od::value& element) {
    std::string_view text;
    if (auto error = element.get_string().get(text)) return JsonError("", error, "string");
    out.emplace_back(text);
    return Status::Ok();
  });
}

}  // namespace crmsync::gmail::detail

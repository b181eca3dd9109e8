#include "json_support.hpp"

#include <cstdint>

namespace crmsync::gmail::detail {

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

}  // namespace crmsync::gmail::detail

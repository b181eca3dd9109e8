#include "json_support.hpp"

#include <fmt/format.h>

namespace crmsync::graph::detail {

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

Status ReadString(od::value& value, std::string& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError("", error, "string");
  out.assign(text);
  return Status::Ok();
}

Status ReadBool(od::value& value, bool& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  if (auto error = value.get_bool().get(out)) return JsonError("", error, "boolean");
  return Status::Ok();
}

Status ReadStringArray(od::value& value, std::vector<std::string>& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  od::array array;
  if (auto error = value.get_array().get(array)) return JsonError("", error, "array");
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return NestIndex(index, JsonError("", error));
    std::string_view text;
    if (auto error = element.get_string().get(text)) {
      return NestIndex(index, JsonError("", error, "string"));
    }
    out.emplace_back(text);
    ++index;
  }
  return Status::Ok();
}

namespace {

Status ReadEmailAddress(od::value& value, Participant& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  od::object address;
  if (auto error = value.get_object().get(address)) return JsonError("", error, "object");
  return ForEachField(address, [&out](std::string_view key, od::value& v) {
    if (key == "address") return ReadString(v, out.address);
    if (key == "name") return ReadString(v, out.name);
    return Status::Ok();
  });
}

}  // namespace

Status ReadRecipient(od::value& value, Participant& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  od::object recipient;
  if (auto error = value.get_object().get(recipient)) return JsonError("", error, "object");
  return ForEachField(recipient, [&out](std::string_view key, od::value& v) {
    return key == "emailAddress" ? ReadEmailAddress(v, out) : Status::Ok();
  });
}

Status ReadRequiredString(od::value& value, std::string& out) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError("", error, "string");
  out.assign(text);
  return Status::Ok();
}

Status ReadRecipientArray(od::value& value, std::vector<Participant>& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  od::array array;
  if (auto error = value.get_array().get(array)) return JsonError("", error, "array");
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return NestIndex(index, JsonError("", error));
    od::json_type type;
    if (auto error = element.type().get(type)) return NestIndex(index, JsonError("", error));
    if (type != od::json_type::object) {
      return NestIndex(index, JsonError("", simdjson::INCORRECT_TYPE, "object"));
    }
    Participant participant;
    if (Status s = ReadRecipient(element, participant); !s.ok()) return NestIndex(index, s);
    out.push_back(std::move(participant));
    ++index;
  }
  return Status::Ok();
}

}  // namespace crmsync::graph::detail

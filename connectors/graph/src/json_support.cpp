#include "json_support.hpp"

#include "crmsync/core/message_pool.hpp"

namespace crmsync::graph::detail {

namespace {

Status ReadEmailAddress(od::value& value, Participant& out) {
  return ForEachNullableObjectField(value, [&out](std::string_view key, od::value& v) {
    if (key == "address") return ReadString(v, out.address);
    if (key == "name") return ReadString(v, out.name);
    return Status::Ok();
  });
}

}  // namespace

Status ReadRecipient(od::value& value, Participant& out) {
  return ForEachNullableObjectField(value, [&out](std::string_view key, od::value& v) {
    return key == "emailAddress" ? ReadEmailAddress(v, out) : Status::Ok();
  });
}

Status ReadRecipientArray(od::value& value, std::vector<Participant>& out) {
  bool is_null = false;
  if (Status s = CheckNull(value, &is_null); !s.ok() || is_null) return s;
  return ForEachElement(value, [&out](od::value& element) {
    od::json_type type;
    if (auto error = element.type().get(type)) return JsonError("", error);
    if (type != od::json_type::object) return JsonError("", simdjson::INCORRECT_TYPE, "object");
    Participant participant = TakeParticipant();   // a recycled one keeps its strings' capacity
    if (Status s = ReadRecipient(element, participant); !s.ok()) return s;
    if (out.empty()) out.reserve(4);   // most lists are short: one allocation instead of growing 1, 2, 4
    out.push_back(std::move(participant));
    return Status::Ok();
  });
}

}  // namespace crmsync::graph::detail

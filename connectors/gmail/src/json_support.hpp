// Typed reads for the Gmail parsers over crmsync/json/on_demand.hpp. A reader
// reports its path relative to the value it was given; each enclosing level
// prepends its own segment, so errors read "messages[2].id: expected string".
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/json/on_demand.hpp"

namespace crmsync::gmail::detail {

namespace od = simdjson::ondemand;
using json::JsonError;

Status Nest(std::string_view segment, const Status& inner);
Status NestIndex(std::size_t index, const Status& inner);
// "<what>: <path>: <problem>".
Status Describe(std::string_view what, const Status& inner);

template <class Visit>
Status ForEachField(od::object& object, Visit&& visit) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return JsonError("", error);
    if (auto error = field.unescaped_key().get(key)) return JsonError("", error);
    od::value value = field.value();
    if (Status s = visit(key, value); !s.ok()) return Nest(key, s);
  }
  return Status::Ok();
}

template <class Visit>
Status ForEachObjectField(od::value& value, Visit&& visit) {
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError("", error, "object");
  return ForEachField(object, visit);
}

// visit(value) for every element; errors nested as "[i]". null is refused.
template <class Visit>
Status ForEachElement(od::value& value, Visit&& visit) {
  od::array array;
  if (auto error = value.get_array().get(array)) return JsonError("", error, "array");
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return NestIndex(index, JsonError("", error));
    if (Status s = visit(element); !s.ok()) return NestIndex(index, s);
    ++index;
  }
  return Status::Ok();
}

// Parses `body` as one JSON object and visits its top-level fields; content
// after the object is refused.
template <class Visit>
Status ForEachTopLevelField(std::string_view body, Visit&& visit) {
  if (body.empty()) return Status::Corruption("empty body");
  od::document doc;
  if (auto error = json::ThreadParser().iterate(json::PadInput(body)).get(doc)) return JsonError("document", error);
  od::object root;
  if (auto error = doc.get_object().get(root)) return JsonError("document", error, "object");
  if (Status s = ForEachField(root, visit); !s.ok()) return s;
  if (json::HasTrailingContent(doc)) return Status::Corruption("document: trailing content");
  return Status::Ok();
}

// A string, or null (leaves `out` untouched).
Status ReadString(od::value& value, std::string& out);
// A string, or a number written as one (Gmail ids and historyIds are strings,
// but a numeric form is accepted); null leaves `out` untouched.
Status ReadIdString(od::value& value, std::string& out);
Status ReadBool(od::value& value, bool& out);
Status ReadStringArray(od::value& value, std::vector<std::string>& out);

}  // namespace crmsync::gmail::detail

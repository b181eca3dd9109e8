// Typed reads over crmsync/json/on_demand.hpp, shared by the connector
// parsers (Graph, Gmail).
//
// Error paths are built only on failure: a reader reports the path relative
// to the value it was given ("emailAddress.address: expected string"), and
// each enclosing level prepends its own segment with Nest().
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/json/on_demand.hpp"

namespace crmsync::json {

// Prepends a path segment ("value[3]", "toRecipients") to a relative error.
Status Nest(std::string_view segment, const Status& inner);
Status NestIndex(std::size_t index, const Status& inner);
// Final message: "<what>: <path>: <problem>".
Status Describe(std::string_view what, const Status& inner);

namespace internal {

// The loop of ForEachField and ForEachTopLevelField: faults of the object
// itself read "<where>: ...", a visitor's failure is nested under its key
// when `nest_under_key`, otherwise returned as it is.
template <class Visit>
Status VisitFields(od::object& object, std::string_view where, bool nest_under_key, Visit& visit) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return JsonError(where, error);
    if (auto error = field.unescaped_key().get(key)) return JsonError(where, error);
    if (Status s = visit(key, field.value()); !s.ok()) return nest_under_key ? Nest(key, s) : s;
  }
  return Status::Ok();
}

}  // namespace internal

// Visits every field of `object` in document order with visit(key, value),
// which returns a Status; the first failure comes back nested under its key.
template <class Visit>
Status ForEachField(od::object& object, Visit&& visit) {
  return internal::VisitFields(object, "", /*nest_under_key=*/true, visit);
}

// ForEachField over `value`, which must be an object.
template <class Visit>
Status ForEachObjectField(od::value& value, Visit&& visit) {
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError("", error, "object");
  return ForEachField(object, visit);
}

// ForEachObjectField, but null is allowed and visits nothing.
template <class Visit>
Status ForEachNullableObjectField(od::value& value, Visit&& visit);

// visit(element) for every element of the array `value`; errors nested as
// "[i]". null is refused.
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

// Parses `body` as one JSON object and hands the root object to
// read_root(root); faults of the document read "document: ...", and content
// after the object is refused.
template <class ReadRoot>
Status ReadTopLevelObject(const Body& body, ReadRoot&& read_root) {
  if (body.text.empty()) return Status::Corruption("empty body");
  od::document doc;
  if (auto error = ThreadParser().iterate(Padded(body)).get(doc)) return JsonError("document", error);
  od::object root;
  if (auto error = doc.get_object().get(root)) return JsonError("document", error, "object");
  if (Status s = read_root(root); !s.ok()) return s;
  if (HasTrailingContent(doc)) return Status::Corruption("document: trailing content");
  return Status::Ok();
}

// Visits the top-level fields of `body` with visit(key, value); the visitor's
// errors come back as they are (it names its own path), faults of the root
// object read "document: ...".
template <class Visit>
Status ForEachTopLevelField(const Body& body, Visit&& visit) {
  return ReadTopLevelObject(body, [&visit](od::object& root) {
    return internal::VisitFields(root, "document", /*nest_under_key=*/false, visit);
  });
}

// Visits the top-level fields of `body` like ForEachField: the visitor's
// errors come back nested under their key ("messages[2].id: ...").
template <class Visit>
Status ForEachTopLevelFieldNested(const Body& body, Visit&& visit) {
  return ReadTopLevelObject(body, [&visit](od::object& root) { return ForEachField(root, visit); });
}

// *is_null: whether `value` is null (a malformed null atom is an error).
Status CheckNull(od::value& value, bool* is_null);

// A required string property ("id"): null is not allowed.
Status ReadRequiredString(od::value& value, std::string& out);

// The outcome of a typed read of a nullable `value` (`typed_read`, e.g.
// value.get_bool().get(flag)): Ok when it read; Ok with *is_null when the
// value is null; else its error ("expected <expected>", or a malformed
// null's). The typed read goes first because most values are not null.
Status TypedOrNull(od::value& value, simdjson::error_code typed_read, bool* is_null, std::string_view expected);

template <class Visit>
Status ForEachNullableObjectField(od::value& value, Visit&& visit) {
  od::object object;
  bool is_null = false;
  if (Status s = TypedOrNull(value, value.get_object().get(object), &is_null, "object"); !s.ok() || is_null) return s;
  return ForEachField(object, visit);
}

// These readers accept null, leaving `out` untouched.
Status ReadString(od::value& value, std::string& out);
// A string needed only while its document is parsed: a view into the
// parser's string buffer (valid until the parser's next document), nothing
// allocated.
Status ReadStringView(od::value& value, std::string_view& out);
Status ReadBool(od::value& value, bool& out);
Status ReadStringArray(od::value& value, std::vector<std::string>& out);

}  // namespace crmsync::json

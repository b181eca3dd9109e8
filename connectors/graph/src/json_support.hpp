// Typed reads of optional properties for the Graph parsers, over the shared
// On-Demand plumbing of crmsync/json/on_demand.hpp (thread parser, padded
// input, trailing-content check, JsonError).
//
// Error paths are built only on failure: a reader reports the path relative
// to the value it was given ("emailAddress.address: expected string"), and
// each enclosing level prepends its own segment with Nest().
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/json/on_demand.hpp"

namespace crmsync::graph::detail {

namespace od = simdjson::ondemand;

// kCorruption "<where>: expected <type>" or "<where>: <simdjson explanation>";
// `where` may be empty when the value itself is at fault.
using json::JsonError;

// Prepends a path segment ("value[3]", "toRecipients") to a relative error.
Status Nest(std::string_view segment, const Status& inner);
Status NestIndex(std::size_t index, const Status& inner);
// Final message: "<what>: <path>: <problem>".
Status Describe(std::string_view what, const Status& inner);

// Visits every field of `object` in document order with visit(key, value),
// which returns a Status; the first failure comes back nested under its key.
template <class Visit>
Status ForEachField(od::object& object, Visit&& visit) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return JsonError("", error);
    if (auto error = field.unescaped_key().get(key)) return JsonError("", error);
    if (Status s = visit(key, field.value()); !s.ok()) return Nest(key, s);
  }
  return Status::Ok();
}

// Parses `body` as one JSON object and visits its top-level fields with
// visit(key, value); the visitor's errors come back as they are (it names its
// own path). Faults of the document itself read "document: ...", and content
// after the object is refused.
template <class Visit>
Status ForEachTopLevelField(std::string_view body, Visit&& visit) {
  if (body.empty()) return Status::Corruption("empty body");
  od::document doc;
  if (auto error = json::ThreadParser().iterate(json::PadInput(body)).get(doc)) {
    return JsonError("document", error);
  }
  od::object root;
  if (auto error = doc.get_object().get(root)) return JsonError("document", error, "object");
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return JsonError("document", error);
    if (auto error = field.unescaped_key().get(key)) return JsonError("document", error);
    if (Status s = visit(key, field.value()); !s.ok()) return s;
  }
  if (json::HasTrailingContent(doc)) return Status::Corruption("document: trailing content");
  return Status::Ok();
}

// A required string property ("id"): null is not allowed.
Status ReadRequiredString(od::value& value, std::string& out);

// Readers accept null wherever Graph may send it, leaving `out` untouched.
Status CheckNull(od::value& value, bool* is_null);
Status ReadString(od::value& value, std::string& out);
Status ReadBool(od::value& value, bool& out);
Status ReadStringArray(od::value& value, std::vector<std::string>& out);
// {"emailAddress":{"name":..,"address":..}}; null allowed at both levels.
Status ReadRecipient(od::value& value, Participant& out);
// [recipient, ...] or null; a null entry inside the list is malformed.
Status ReadRecipientArray(od::value& value, std::vector<Participant>& out);

}  // namespace crmsync::graph::detail

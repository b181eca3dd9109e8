// ParseUpsertResponse: [{id, success, errors:[{statusCode,message,fields}], created}].
#include <fmt/format.h>

#include "crmsync/salesforce/salesforce.hpp"
#include "json_support.hpp"

namespace crmsync::salesforce {
namespace {

namespace od = detail::od;
constexpr std::string_view kWhat = "Salesforce upsert response";

// Only the first error is kept: it is what Salesforce reports as the cause.
Status ReadErrors(od::value& value, const std::string& where, UpsertOutcome& outcome) {
  od::json_type type;
  if (auto error = value.type().get(type)) return detail::JsonError(kWhat, where, error);
  if (type == od::json_type::null) return Status::Ok();
  od::array errors;
  if (auto error = value.get_array().get(errors)) {
    return detail::JsonError(kWhat, where, error, "array");
  }
  std::size_t index = 0;
  for (auto element_result : errors) {
    od::object entry;
    if (auto error = element_result.get_object().get(entry)) {
      return detail::JsonError(kWhat, fmt::format("{}[{}]", where, index), error, "object");
    }
    if (index == 0) {
      for (auto field_result : entry) {
        od::field field;
        std::string_view key;
        if (auto error = std::move(field_result).get(field)) {
          return detail::JsonError(kWhat, fmt::format("{}[0]", where), error);
        }
        if (auto error = field.unescaped_key().get(key)) {
          return detail::JsonError(kWhat, fmt::format("{}[0]", where), error);
        }
        std::string* target = key == "statusCode" ? &outcome.error_code
                              : key == "message"  ? &outcome.error_message
                                                  : nullptr;
        if (target == nullptr) continue;
        if (auto error = detail::ReadNullableString(field.value(), *target)) {
          return detail::JsonError(kWhat, fmt::format("{}[0].{}", where, key), error, "string");
        }
      }
    }
    ++index;
  }
  return Status::Ok();
}

Status ReadOutcome(od::value& element, std::size_t index, UpsertOutcome& outcome) {
  const auto where = [index](std::string_view field) {
    return fmt::format("[{}]{}{}", index, field.empty() ? "" : ".", field);
  };
  od::object object;
  if (auto error = element.get_object().get(object)) {
    return detail::JsonError(kWhat, where(""), error, "object");
  }
  bool has_success = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return detail::JsonError(kWhat, where(""), error);
    if (auto error = field.unescaped_key().get(key)) {
      return detail::JsonError(kWhat, where(""), error);
    }
    od::value& v = field.value();
    if (key == "id") {
      if (auto error = detail::ReadNullableString(v, outcome.id)) {
        return detail::JsonError(kWhat, where(key), error, "string");
      }
    } else if (key == "success") {
      has_success = true;
      if (auto error = v.get_bool().get(outcome.success)) {
        return detail::JsonError(kWhat, where(key), error, "boolean");
      }
    } else if (key == "created") {
      od::json_type type;
      if (auto error = v.type().get(type)) return detail::JsonError(kWhat, where(key), error);
      if (type != od::json_type::null) {
        if (auto error = v.get_bool().get(outcome.created)) {
          return detail::JsonError(kWhat, where(key), error, "boolean");
        }
      }
    } else if (key == "errors") {
      if (Status s = ReadErrors(v, where(key), outcome); !s.ok()) return s;
    }
  }
  if (!has_success) return Status::Corruption(fmt::format("{}: {}: missing", kWhat, where("success")));
  if (outcome.success) {
    outcome.error_code.clear();
    outcome.error_message.clear();
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<UpsertOutcome>> ParseUpsertResponse(std::string_view body,
                                                       std::size_t expected) {
  if (body.empty()) return Status::Corruption(fmt::format("{}: empty body", kWhat));
  od::document doc;
  if (auto error = json::ThreadParser().iterate(json::PadInput(body)).get(doc)) {
    return detail::JsonError(kWhat, "document", error);
  }
  od::array array;
  if (auto error = doc.get_array().get(array)) {
    return detail::JsonError(kWhat, "document", error, "array");
  }
  std::vector<UpsertOutcome> outcomes;
  outcomes.reserve(expected);
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) {
      return detail::JsonError(kWhat, fmt::format("[{}]", index), error);
    }
    UpsertOutcome outcome;
    if (Status s = ReadOutcome(element, index, outcome); !s.ok()) return s;
    outcomes.push_back(std::move(outcome));
    ++index;
  }
  if (json::HasTrailingContent(doc)) {
    return Status::Corruption(fmt::format("{}: document: trailing content", kWhat));
  }
  if (outcomes.size() != expected) {
    return Status::Corruption(fmt::format("{}: {} results for {} records", kWhat,
                                          outcomes.size(), expected));
  }
  return outcomes;
}

}  // namespace crmsync::salesforce

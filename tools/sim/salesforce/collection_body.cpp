#include "collection_body.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sf_text.hpp"
#include "task_fields.hpp"

namespace crmsync::sim::sf {
namespace {
constexpr std::size_t kMaxRecords = 200;
}  // namespace

std::optional<HttpResponse> CheckExternalIdField(std::string_view external_id_field) {
  if (EqualsNoCase(external_id_field, kExternalIdField)) return std::nullopt;
  return RestError(404, {"NOT_FOUND",
                         fmt::format("Provided external ID field does not exist or is not accessible: {}",
                                     external_id_field),
                         {}});
}

std::optional<HttpResponse> ParseCollectionBody(std::string_view body, simdjson::dom::parser& parser,
                                                simdjson::dom::array& records, bool* all_or_none) {
  simdjson::dom::element root;
  if (auto e = parser.parse(body).get(root)) {
    return RestError(400, {"JSON_PARSER_ERROR", fmt::format("Malformed JSON request body: {}", simdjson::error_message(e)), {}});
  }
  if (all_or_none != nullptr) {
    if (auto v = root["allOrNone"]; !v.error() && v.get(*all_or_none)) {
      return RestError(400, {"JSON_PARSER_ERROR", "allOrNone must be a boolean", {}});
    }
  }
  if (root["records"].get(records)) {
    return RestError(400, {"INVALID_FIELD", "The request body must contain a 'records' array", {"records"}});
  }
  if (records.size() > kMaxRecords) return RestError(400, {"EXCEEDED_ID_LIMIT", "Maximum number of records allowed is 200", {}});
  return std::nullopt;
}

std::optional<HttpResponse> ReadTextRecord(simdjson::dom::element item, std::span<const std::string_view> fields,
                                           std::string_view sobject, TextRecord& record) {
  simdjson::dom::object object;
  if (item.get(object)) return RestError(400, {"JSON_PARSER_ERROR", "records[] must hold objects", {}});
  for (auto [key, value] : object) {
    if (key == "attributes") continue;
    std::string_view text;
    if (value.get(text)) {
      return RestError(400, {"JSON_PARSER_ERROR", fmt::format("Cannot deserialize instance of string for {}", key), {}});
    }
    if (EqualsNoCase(key, kExternalIdField)) {
      record.key = std::string(text);
      record.norm_key = AsciiLower(text);
      continue;
    }
    auto field = std::find_if(fields.begin(), fields.end(), [&](std::string_view f) { return EqualsNoCase(f, key); });
    if (field == fields.end()) {
      record.errors.push_back({"INVALID_FIELD", fmt::format("No such column '{}' on sobject of type {}", key, sobject),
                               {std::string(key)}});
      continue;
    }
    record.values[std::string(*field)] = std::string(text);
  }
  if (record.norm_key.empty()) {
    record.errors.push_back({"MISSING_ARGUMENT", fmt::format("{} not specified", kExternalIdField), {}});
  }
  return std::nullopt;
}

}  // namespace crmsync::sim::sf

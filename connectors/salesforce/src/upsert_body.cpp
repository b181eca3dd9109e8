// BuildUpsertBody: the sObject Collections upsert body (API-FACTS.md §4.2).
#include "crmsync/salesforce/salesforce.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/json/escape.hpp"

namespace crmsync::salesforce {
namespace {

// Per-record and per-field framing bytes, for one up-front reservation.
constexpr std::size_t kRecordOverhead = 48;
constexpr std::size_t kFieldOverhead = 6;

std::size_t EstimateSize(std::string_view sobject, std::string_view external_id_field,
                         std::span<const UpsertRecord> records) {
  std::size_t size = 64;
  for (const UpsertRecord& record : records) {
    size += kRecordOverhead + sobject.size() + external_id_field.size() +
            record.external_id.size() + record.rendered_fields.size();
    for (const Field& field : record.fields) {
      size += kFieldOverhead + field.name.size() + field.value.size();
    }
  }
  return size;
}

// Reads `,"a":1,"b":"x"` (rendered fields) into `fields`.
Status ReadRenderedFields(std::string_view rendered, bool create_only, std::vector<Field>& fields) {
  if (rendered.empty()) return Status::Ok();
  if (rendered.front() != ',') return Status::Corruption("rendered record fields do not start with ','");
  std::string object = "{";
  object.append(rendered.substr(1));
  object.push_back('}');
  simdjson::dom::parser parser;
  simdjson::dom::object fields_object;
  if (auto error = parser.parse(object).get_object().get(fields_object)) {
    return Status::Corruption(fmt::format("rendered record fields are not JSON: {}", simdjson::error_message(error)));
  }
  for (auto [name, value] : fields_object) {
    Field field;
    field.name = std::string(name);
    field.create_only = create_only;
    std::string_view text;
    if (value.is_null()) {
      field.null = true;
    } else if (value.get_string().get(text) == simdjson::SUCCESS) {
      field.value = std::string(text);
    } else {
      field.literal = true;
      field.value = simdjson::minify(value);
    }
    fields.push_back(std::move(field));
  }
  return Status::Ok();
}

}  // namespace

void AppendRenderedField(std::string& rendered, std::string_view name, std::string_view value) {
  rendered.push_back(',');
  json::AppendJsonString(rendered, name);
  rendered.push_back(':');
  json::AppendJsonString(rendered, value);
}

Status MaterializeFields(UpsertRecord& record) {
  if (record.rendered_fields.empty()) return Status::Ok();
  const std::string_view rendered = record.rendered_fields;
  const std::size_t split = std::min(record.rendered_create_only_bytes, rendered.size());
  std::vector<Field> fields;
  if (Status s = ReadRenderedFields(rendered.substr(0, split), true, fields); !s.ok()) return s;
  if (Status s = ReadRenderedFields(rendered.substr(split), false, fields); !s.ok()) return s;
  // Rendered fields precede the listed ones in the body: keep that order.
  for (Field& field : record.fields) fields.push_back(std::move(field));
  record.fields = std::move(fields);
  record.rendered_fields.clear();
  record.rendered_create_only_bytes = 0;
  return Status::Ok();
}

bool HasCreateOnlyField(const UpsertRecord& record) {
  if (record.rendered_create_only_bytes > 0 && !record.rendered_fields.empty()) return true;
  return std::any_of(record.fields.begin(), record.fields.end(), [](const Field& f) { return f.create_only; });
}

std::string BuildUpsertBody(std::string_view sobject, std::string_view external_id_field,
                            std::span<const UpsertRecord> records, bool include_create_only) {
  std::string out;
  out.reserve(EstimateSize(sobject, external_id_field, records));
  out += R"({"allOrNone":false,"records":[)";
  bool first_record = true;
  for (const UpsertRecord& record : records) {
    if (!first_record) out.push_back(',');
    first_record = false;
    out += R"({"attributes":{"type":)";
    json::AppendJsonString(out, sobject);
    out += "},";
    json::AppendJsonString(out, external_id_field);
    out.push_back(':');
    json::AppendJsonString(out, record.external_id);
    const std::size_t skip = include_create_only ? 0 : std::min(record.rendered_create_only_bytes,
                                                                 record.rendered_fields.size());
    out.append(record.rendered_fields, skip);
    for (const Field& field : record.fields) {
      if (field.create_only && !include_create_only) continue;
      out.push_back(',');
      json::AppendJsonString(out, field.name);
      out.push_back(':');
      if (field.null) {
        out += "null";
      } else if (field.literal) {
        out += field.value;
      } else {
        json::AppendJsonString(out, field.value);
      }
    }
    out.push_back('}');
  }
  out += "]}";
  return out;
}

}  // namespace crmsync::salesforce

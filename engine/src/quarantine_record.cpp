#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/engine/quarantine.hpp"
#include "crmsync/json/escape.hpp"   // as the upsert body escapes: the quarantine keeps what was sent

namespace crmsync::engine {
namespace {

void AppendFields(std::string& out, const std::vector<salesforce::Field>& fields) {
  out += "[";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    if (i != 0) out += ",";
    out += "{\"name\":";
    json::AppendJsonString(out, f.name);
    out += ",\"value\":";
    json::AppendJsonString(out, f.value);
    fmt::format_to(std::back_inserter(out), ",\"null\":{},\"create_only\":{},\"literal\":{}}}", f.null, f.create_only,
                   f.literal);
  }
  out += "]";
}

Status Bad(std::string_view what) { return Status::Corruption(fmt::format("quarantined record: {}", what)); }

Result<std::vector<salesforce::Field>> ReadFields(simdjson::dom::element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return Bad("'fields' is not an array");
  std::vector<salesforce::Field> fields;
  for (simdjson::dom::element item : array) {
    salesforce::Field f;
    std::string_view name, text;
    bool null = false, create_only = false, literal = false;
    if (item["name"].get_string().get(name) != simdjson::SUCCESS ||
        item["value"].get_string().get(text) != simdjson::SUCCESS ||
        item["null"].get_bool().get(null) != simdjson::SUCCESS ||
        item["create_only"].get_bool().get(create_only) != simdjson::SUCCESS ||
        item["literal"].get_bool().get(literal) != simdjson::SUCCESS) {
      return Bad("a field lacks name, value, null, create_only or literal");
    }
    f.name = std::string(name);
    f.value = std::string(text);
    f.null = null;
    f.create_only = create_only;
    f.literal = literal;
    fields.push_back(std::move(f));
  }
  return fields;
}

}  // namespace

std::string EncodeQuarantinedRecord(const salesforce::UpsertRecord& record) {
  std::string out = "{\"external_id\":";
  json::AppendJsonString(out, record.external_id);
  out += ",\"fields\":";
  AppendFields(out, record.fields);
  out += ",\"children\":[";
  for (std::size_t i = 0; i < record.children.size(); ++i) {
    const auto& c = record.children[i];
    if (i != 0) out += ",";
    out += "{\"sobject\":";
    json::AppendJsonString(out, c.sobject);
    out += ",\"external_id\":";
    json::AppendJsonString(out, c.external_id);
    out += ",\"parent_field\":";
    json::AppendJsonString(out, c.parent_field);
    out += ",\"fields\":";
    AppendFields(out, c.fields);
    out += "}";
  }
  out += "]}";
  return out;
}

Result<salesforce::UpsertRecord> DecodeQuarantinedRecord(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto e = parser.parse(padded).get(root); e != simdjson::SUCCESS) {
    return Bad(simdjson::error_message(e));
  }
  salesforce::UpsertRecord record;
  std::string_view key;
  simdjson::dom::element fields, children;
  if (root["external_id"].get_string().get(key) != simdjson::SUCCESS || key.empty()) {
    return Bad("no 'external_id'");
  }
  if (root["fields"].get(fields) != simdjson::SUCCESS) return Bad("no 'fields'");
  record.external_id = std::string(key);
  auto read = ReadFields(fields);
  if (!read.ok()) return read.status();
  record.fields = std::move(read.value());
  simdjson::dom::array child_array;
  if (root["children"].get_array().get(child_array) != simdjson::SUCCESS) return Bad("'children' is not an array");
  for (simdjson::dom::element item : child_array) {
    salesforce::ChildRecord child;
    std::string_view sobject, external_id, parent_field;
    simdjson::dom::element child_fields;
    if (item["sobject"].get_string().get(sobject) != simdjson::SUCCESS ||
        item["external_id"].get_string().get(external_id) != simdjson::SUCCESS ||
        item["parent_field"].get_string().get(parent_field) != simdjson::SUCCESS ||
        item["fields"].get(child_fields) != simdjson::SUCCESS) {
      return Bad("a child lacks sobject, external_id, parent_field or fields");
    }
    child.sobject = std::string(sobject);
    child.external_id = std::string(external_id);
    child.parent_field = std::string(parent_field);
    auto cf = ReadFields(child_fields);
    if (!cf.ok()) return cf.status();
    child.fields = std::move(cf.value());
    record.children.push_back(std::move(child));
  }
  return record;
}

}  // namespace crmsync::engine

// BuildUpsertBody: the sObject Collections upsert body (API-FACTS.md §4.2).
#include "crmsync/salesforce/salesforce.hpp"
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
            record.external_id.size();
    for (const Field& field : record.fields) {
      size += kFieldOverhead + field.name.size() + field.value.size();
    }
  }
  return size;
}

}  // namespace

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

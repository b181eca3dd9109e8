// PATCH /services/data/vNN.0/composite/sobjects/Task/Crmsync_Key__c:
// sObject Collections upsert by external id (API-FACTS.md §4.2).
//
// A request is decided under the org lock, then committed under it again,
// with the lock released in between, as on a real org: the uniqueness of a
// new external id is not enforced across concurrent requests, so two requests
// creating the same new key at the same moment both create a record.
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>
#include <simdjson.h>

#include "salesforce_ids.hpp"
#include "sf_text.hpp"
#include "sim_state.hpp"
#include "task_fields.hpp"

namespace crmsync::sim {
namespace {

namespace od = simdjson::ondemand;
using sf::SfError;

constexpr std::size_t kMaxRecords = 200;

// Views into the thread's parser (ParseBody): valid until it parses again,
// which it does not before the request is answered.
struct FieldValue {
  const sf::TaskField* field = nullptr;
  std::optional<std::string_view> value;   // nullopt: JSON null
};

struct ParsedRecord {
  bool has_type = false;
  std::string type;
  bool has_id = false;
  std::vector<FieldValue> values;
  std::vector<SfError> errors;        // per-record failures, request order of detection
  bool key_ok = false;                // passed the type, Id and external id checks
  std::string key;                    // as sent
  std::string norm_key;               // case-folded, for matching
  bool sends_create_only = false;
};

struct ParsedBody {
  bool all_or_none = false;
  bool has_records = false;
  std::vector<ParsedRecord> records;
};

SfError ParserError(std::string message) { return {"JSON_PARSER_ERROR", std::move(message), {}}; }

SfError ParserError(simdjson::error_code code) {
  return ParserError(fmt::format("Malformed JSON request body: {}", simdjson::error_message(code)));
}

// Reads one Task field value; returns a request-level error for JSON that
// Salesforce cannot deserialize at all.
std::optional<SfError> ReadFieldValue(od::value value, const sf::TaskField& field, ParsedRecord& record) {
  od::json_type type;
  if (auto e = value.type().get(type)) return ParserError(e);
  switch (type) {
    case od::json_type::string: {
      std::string_view text;
      if (auto e = value.get_string().get(text)) return ParserError(e);
      record.values.push_back({&field, text});
      return std::nullopt;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = value.is_null().get(is_null); e || !is_null) return ParserError(simdjson::INCORRECT_TYPE);
      record.values.push_back({&field, std::nullopt});
      return std::nullopt;
    }
    case od::json_type::number:
    case od::json_type::boolean: {
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                              raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      std::string raw_text(raw);
      if (type == od::json_type::number) {
        od::number number;
        if (auto e = value.get_number().get(number)) return ParserError(e);
      } else {
        bool b = false;
        if (auto e = value.get_bool().get(b)) return ParserError(e);
      }
      record.errors.push_back({"INVALID_TYPE_ON_FIELD_IN_RECORD",
                               fmt::format("{}: value not of required type: {}", field.label, raw_text),
                               {std::string(field.name)}});
      return std::nullopt;
    }
    case od::json_type::object:
    case od::json_type::array:
      return ParserError(fmt::format("Cannot deserialize instance of {} from {} value", field.name,
                                     type == od::json_type::object ? "START_OBJECT" : "START_ARRAY"));
  }
  return ParserError(simdjson::INCORRECT_TYPE);
}

std::optional<SfError> ParseAttributes(od::value value, ParsedRecord& record) {
  od::object attributes;
  if (value.get_object().get(attributes) != simdjson::SUCCESS) {
    return ParserError("Cannot deserialize 'attributes': expected an object");
  }
  for (auto attribute_result : attributes) {
    od::field attribute;
    if (auto e = std::move(attribute_result).get(attribute)) return ParserError(e);
    std::string_view key;
    if (auto e = attribute.unescaped_key().get(key)) return ParserError(e);
    if (key != "type") continue;   // url, referenceId: ignored, as by Salesforce
    std::string_view type;
    if (attribute.value().get_string().get(type) != simdjson::SUCCESS) {
      return ParserError("Cannot deserialize 'attributes.type': expected a string");
    }
    record.has_type = true;
    record.type = std::string(type);
  }
  return std::nullopt;
}

std::optional<SfError> ParseRecord(od::value value, ParsedRecord& record) {
  od::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return ParserError("Each element of 'records' must be an object");
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return ParserError(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return ParserError(e);
    if (key == "attributes") {
      if (auto e = ParseAttributes(field.value(), record)) return e;
      continue;
    }
    if (sf::EqualsNoCase(key, "Id")) {
      record.has_id = true;
      continue;
    }
    const sf::TaskField* spec = sf::FindTaskField(key);
    if (spec == nullptr) {
      record.errors.push_back({"INVALID_FIELD",
                               fmt::format("No such column '{}' on sobject of type Task", key),
                               {std::string(key)}});
      continue;
    }
    bool repeated = std::any_of(record.values.begin(), record.values.end(),
                                [&](const FieldValue& v) { return v.field == spec; });
    if (repeated) return ParserError(fmt::format("Duplicate field '{}' in a record", spec->name));
    if (auto e = ReadFieldValue(field.value(), *spec, record)) return e;
  }
  return std::nullopt;
}

// The records' values are views into `parser`'s string buffer.
std::variant<ParsedBody, SfError> ParseBody(const std::string& body, od::parser& parser) {
  thread_local std::string buffer;   // one padded buffer per server thread (STYLE.md practice 12)
  // The server reads bodies with room for the padding (body_buffer.hpp):
  // parsed in place then, copied otherwise.
  const std::string* input = &body;
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(body);
    input = &buffer;
  }
  od::document document;
  if (auto e = parser.iterate(input->data(), input->size(), input->capacity()).get(document)) {
    return ParserError(e);
  }
  od::object top;
  if (document.get_object().get(top) != simdjson::SUCCESS) return ParserError("Expected a JSON object as the request body");
  ParsedBody parsed;
  for (auto field_result : top) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return ParserError(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return ParserError(e);
    if (key == "allOrNone") {
      if (field.value().get_bool().get(parsed.all_or_none) != simdjson::SUCCESS) {
        return ParserError("Cannot deserialize 'allOrNone': expected true or false");
      }
    } else if (key == "records") {
      od::value value = field.value();
      od::json_type type;
      if (auto e = value.type().get(type)) return ParserError(e);
      if (type == od::json_type::null) {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) return ParserError(e);
        continue;
      }
      od::array records;
      if (value.get_array().get(records) != simdjson::SUCCESS) return ParserError("Cannot deserialize 'records': expected an array");
      parsed.has_records = true;
      for (auto element_result : records) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return ParserError(e);
        parsed.records.emplace_back().values.reserve(sf::kTaskFieldCount);
        if (auto e = ParseRecord(element, parsed.records.back())) return *e;
      }
    } else {
      return ParserError(fmt::format("Unrecognized field \"{}\" in the request body", key));
    }
  }
  // Past the closing brace, the iterator must be at the end of the input.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return ParserError("Unexpected content after the JSON object");
  }
  return parsed;
}

std::optional<SfError> CheckReference(const sf::TaskField& field, std::string_view id,
                                      const sf::Directory& directory) {
  const sf::IdSet* allowed = nullptr;
  if (field.kind == sf::TaskFieldKind::kContactOrLead) allowed = &directory.who_ids;
  if (field.kind == sf::TaskFieldKind::kUser) allowed = &directory.user_ids;
  // Directory ids are accepted as given, whatever their suffix.
  if (allowed != nullptr && allowed->Contains(id)) return std::nullopt;
  if (!sf::IsWellFormedId(id)) {
    return SfError{"MALFORMED_ID", fmt::format("{}: id value of incorrect type: {}", field.label, id),
                   {std::string(field.name)}};
  }
  if (allowed == nullptr) return std::nullopt;   // WhatId: any record the org might hold
  return SfError{"INVALID_CROSS_REFERENCE_KEY", fmt::format("{}: invalid cross reference id", field.label),
                 {std::string(field.name)}};
}

// The checks that need no Task store: type, Id, external id, field values and
// references. Sets key_ok when the record can take part in matching.
void ValidateRecord(ParsedRecord& record, const sf::Directory& directory) {
  auto fail = [&](SfError error) { record.errors.assign(1, std::move(error)); };
  if (!record.has_type) return fail({"INVALID_TYPE", "Must send a concrete entity type.", {}});
  if (record.type != "Task") {
    return fail({"INVALID_TYPE",
                 fmt::format("Record type '{}' does not match the sObject type 'Task' of the request URI",
                             record.type),
                 {}});
  }
  if (record.has_id) {
    return fail({"INVALID_FIELD",
                 "Id field should not be specified in the sobject data of an upsert by external id",
                 {"Id"}});
  }
  auto key = std::find_if(record.values.begin(), record.values.end(), [](const FieldValue& v) {
    return v.field->kind == sf::TaskFieldKind::kExternalId;
  });
  if (key == record.values.end() || !key->value || key->value->empty()) {
    return fail({"MISSING_ARGUMENT", fmt::format("{} not specified", sf::kExternalIdField), {}});
  }
  record.key_ok = true;
  record.key = std::string(*key->value);
  record.norm_key = sf::AsciiLower(record.key);
  for (const FieldValue& v : record.values) {
    if (v.field->create_only) record.sends_create_only = true;
    if (!v.value) continue;
    if (auto e = sf::CheckTaskValue(*v.field, *v.value)) record.errors.push_back(std::move(*e));
    if (v.field->kind == sf::TaskFieldKind::kContactOrLead || v.field->kind == sf::TaskFieldKind::kAnyRecord ||
        v.field->kind == sf::TaskFieldKind::kUser) {
      if (auto e = CheckReference(*v.field, *v.value, directory)) record.errors.push_back(std::move(*e));
    }
  }
}

// Reference ids this org does not hold, of records refused for them.
std::vector<std::string> UnknownReferences(const std::vector<ParsedRecord>& records, const sf::Directory& directory) {
  std::vector<std::string> ids;
  for (const ParsedRecord& record : records) {
    // ValidateRecord refuses every reference outside the org's own sets, so
    // a record it found no fault in names none (and most records are such).
    if (record.errors.empty()) continue;
    for (const FieldValue& v : record.values) {
      if (!v.value || (v.field->kind != sf::TaskFieldKind::kContactOrLead && v.field->kind != sf::TaskFieldKind::kUser)) {
        continue;
      }
      if (!directory.who_ids.Contains(*v.value) && !directory.user_ids.Contains(*v.value)) ids.emplace_back(*v.value);
    }
  }
  return ids;
}

// A user's own session may own only its own Tasks (no "Modify All"): a
// record naming another OwnerId is refused. Returns how many were.
std::uint64_t RefuseOthersTasks(std::vector<ParsedRecord>& records, const std::string& writer_user_id) {
  std::uint64_t refused = 0;
  for (ParsedRecord& record : records) {
    for (const FieldValue& v : record.values) {
      if (!v.value || v.field->name != std::string_view("OwnerId") || *v.value == writer_user_id) continue;
      record.errors.push_back(sf::NotOwnedError(*v.value));
      ++refused;
    }
  }
  return refused;
}

// The same external id twice in one request fails every such record.
void MarkDuplicateKeys(std::vector<ParsedRecord>& records) {
  // Views of the records' own keys: no copy of each key per request.
  std::unordered_map<std::string_view, std::uint32_t> seen;
  seen.reserve(records.size());
  for (const ParsedRecord& r : records) {
    if (r.key_ok) ++seen[r.norm_key];
  }
  for (ParsedRecord& r : records) {
    if (r.key_ok && seen[r.norm_key] > 1) {
      r.errors.assign(1, {"DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: " + r.key, {}});
    }
  }
}

enum class Action { kFail, kCreate, kUpdate };

struct Decision {
  Action action = Action::kFail;
  std::uint32_t task_index = 0;   // kUpdate: the matched task; kCreate: set at commit
  sf::TaskKey* key = nullptr;     // kCreate: the key's entry (being created unless rolled back)
};

// The record's values as stored on create: what it sends, JSON nulls absent.
sf::TaskValues::Views SentValues(const ParsedRecord& record) {
  sf::TaskValues::Views views;
  for (const FieldValue& v : record.values) views[sf::TaskFieldIndex(*v.field)] = v.value;
  return views;
}

// `stored` updated with the record's values: a JSON null clears a field.
sf::TaskValues::Views UpdatedValues(const sf::TaskValues& stored, const ParsedRecord& record) {
  sf::TaskValues::Views views = stored.All();
  for (const FieldValue& v : record.values) views[sf::TaskFieldIndex(*v.field)] = v.value;
  return views;
}

void AppendRolledBack(std::string& out) {
  out.append(
      R"({"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK","message":)"
      R"("Record rolled back because not all records were valid and the request was using AllOrNone header",)"
      R"("fields":[]}]})");
}

}  // namespace

namespace sf {

std::string TaskId(const Org& org, std::uint32_t index) { return MakeSalesforceId("00T", org.index, index + std::uint64_t{1}); }

}  // namespace sf

HttpResponse SalesforceSim::Impl::HandleUpsert(const HttpRequest& request, std::string_view sobject,
                                               std::string_view external_id_field, sf::Org& org,
                                               const std::string& writer_user_id) {
  if (sf::EqualsNoCase(sobject, "Event")) return HandleEventUpsert(request, external_id_field, org, writer_user_id);
  if (sf::EqualsNoCase(sobject, "ResourceAbsence")) {
    return HandleResourceAbsenceUpsert(request, external_id_field, org, writer_user_id);
  }
  if (sf::EqualsNoCase(sobject, "Lead")) return HandleLeadUpsert(request, external_id_field, org);
  if (!sf::EqualsNoCase(sobject, "Task")) {
    return sf::RestError(404, {"NOT_FOUND",
                               fmt::format("The requested resource does not exist: the simulated org "
                                           "allows upsert on Task only, not on '{}'",
                                           sobject),
                               {}});
  }
  if (!sf::EqualsNoCase(external_id_field, sf::kExternalIdField)) {
    if (sf::FindTaskField(external_id_field) != nullptr) {
      return sf::RestError(400, {"INVALID_FIELD",
                                 fmt::format("Field {} is not an External ID or indexed field for Task",
                                             external_id_field),
                                 {std::string(external_id_field)}});
    }
    return sf::RestError(404, {"NOT_FOUND",
                               fmt::format("Provided external ID field does not exist or is not accessible: {}",
                                           external_id_field),
                               {}});
  }

  thread_local od::parser parser;   // one per server thread (STYLE.md practice 12)
  auto parsed_or_error = ParseBody(request.body, parser);
  if (std::holds_alternative<SfError>(parsed_or_error)) {
    return sf::RestError(400, std::get<SfError>(parsed_or_error));
  }
  ParsedBody& parsed = std::get<ParsedBody>(parsed_or_error);
  if (!parsed.has_records) {
    return sf::RestError(400, {"INVALID_FIELD", "The request body must contain a 'records' array", {"records"}});
  }
  std::vector<ParsedRecord>& records = parsed.records;
  if (records.size() > kMaxRecords) {
    return sf::RestError(400, {"EXCEEDED_ID_LIMIT", "Maximum number of records allowed is 200", {}});
  }

  std::shared_ptr<const sf::Directory> directory;
  {
    std::lock_guard lock(org.mu);
    directory = org.directory;
  }
  for (ParsedRecord& record : records) ValidateRecord(record, *directory);
  NoteForeignReferences(org, UnknownReferences(records, *directory));
  if (!writer_user_id.empty()) owner_violations += RefuseOthersTasks(records, writer_user_id);
  MarkDuplicateKeys(records);
  if (record_faults) {
    std::string tenant;
    {
      std::lock_guard lock(org.mu);
      tenant = org.credentials.tenant;
    }
    for (ParsedRecord& record : records) {
      if (!record.key_ok || !record.errors.empty()) continue;
      if (auto fault = record_faults(tenant, record.key)) {
        record.errors.push_back({std::move(fault->first), std::move(fault->second), {}});
      }
    }
  }

  // Decide, under the lock.
  std::vector<Decision> decisions(records.size());
  bool any_failed = false;
  {
    std::lock_guard lock(org.mu);
    for (std::size_t i = 0; i < records.size(); ++i) {
      ParsedRecord& r = records[i];
      if (!r.errors.empty()) {
        any_failed = true;
        continue;
      }
      // One lookup finds the key or makes its entry.
      sf::TaskKey& key = org.tasks_by_key.FindOrAdd(r.norm_key);
      const std::uint32_t first = key.first;
      if (first != sf::kNoTask && org.tasks[first].next_with_key != sf::kNoTask) {
        std::string ids;
        for (std::uint32_t index = first; index != sf::kNoTask; index = org.tasks[index].next_with_key) {
          if (!ids.empty()) ids.append(", ");
          ids.append(sf::TaskId(org, index));
        }
        r.errors.push_back({"DUPLICATE_EXTERNAL_ID",
                            fmt::format("{}: more than one record found for external id field: [{}]",
                                        sf::kExternalIdField, ids),
                            {}});
        any_failed = true;
      } else if (first != sf::kNoTask) {
        if (r.sends_create_only) {
          r.errors.push_back({"INVALID_FIELD_FOR_INSERT_UPDATE",
                              "Unable to create/update fields: TaskSubtype. Please check the security "
                              "settings of this field and verify that it is read/write for your profile "
                              "or permission set.",
                              {"TaskSubtype"}});
          any_failed = true;
        } else {
          decisions[i] = {Action::kUpdate, first};
        }
      } else {
        decisions[i] = {Action::kCreate, 0, &key};
        if (key.being_created != 0) ++org.race_creates;
      }
    }
    bool rolled_back = parsed.all_or_none && any_failed;
    if (!rolled_back) {
      for (const Decision& d : decisions) {
        if (d.action == Action::kCreate) ++d.key->being_created;
      }
    }
  }
  bool rolled_back = parsed.all_or_none && any_failed;

  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::vector<std::string> ids(records.size());
  if (!rolled_back) {
    if (upsert_decided_hook) {
      try {
        upsert_decided_hook(org.org_id);
      } catch (...) {
        // A test hook must not leave keys registered as in flight.
      }
    }
    // Commit, under the lock again.
    std::lock_guard lock(org.mu);
    for (std::size_t i = 0; i < records.size(); ++i) {
      ParsedRecord& r = records[i];
      Decision& d = decisions[i];
      if (d.action == Action::kCreate) {
        d.task_index = static_cast<std::uint32_t>(org.tasks.size());
        org.tasks.push_back({sf::TaskValues(SentValues(r)), sf::kNoTask});
        // Appended to the key's Tasks: the first one stays the one updates match.
        if (d.key->first == sf::kNoTask) {
          d.key->first = d.task_index;
        } else {
          std::uint32_t last = d.key->first;
          while (org.tasks[last].next_with_key != sf::kNoTask) last = org.tasks[last].next_with_key;
          org.tasks[last].next_with_key = d.task_index;
        }
        --d.key->being_created;
        ids[i] = sf::TaskId(org, d.task_index);
        ++created;
      } else if (d.action == Action::kUpdate) {
        sf::TaskValues& values = org.tasks[d.task_index].values;
        values = sf::TaskValues(UpdatedValues(values, r));
        ids[i] = sf::TaskId(org, d.task_index);
        ++updated;
      }
    }
  }

  std::string body = "[";
  body.reserve(records.size() * 80);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i != 0) body.push_back(',');
    const ParsedRecord& r = records[i];
    if (!r.errors.empty()) {
      sf::AppendFailedRecord(body, r.errors);
    } else if (rolled_back) {
      AppendRolledBack(body);
    } else {
      body += R"({"id":")";
      body += ids[i];
      body += decisions[i].action == Action::kCreate ? R"(","success":true,"errors":[],"created":true})"
                                                      : R"(","success":true,"errors":[],"created":false})";
    }
  }
  body.push_back(']');
  return AnswerWrite(std::move(body), created, updated, records.size() - created - updated);
}

}  // namespace crmsync::sim

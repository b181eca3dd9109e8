// PATCH /services/data/vNN.0/composite/sobjects/Event/Crmsync_Key__c:
// sObject Collections upsert of calendar Events (API-FACTS.md §4.2, §4.6).
// Field validation as on a real org: unknown columns, text lengths, picklist
// values, date-time syntax, booleans, references into the org's directory,
// required start/end on create and end not before start. Events are kept
// apart from Tasks, so /_sim/verify (mail ground truth) never sees them.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "collection_body.hpp"
#include "salesforce_ids.hpp"
#include "sf_text.hpp"
#include "sim_state.hpp"
#include "task_fields.hpp"

namespace crmsync::sim {
namespace {

using sf::SfError;


enum class Kind { kText, kDateTime, kDate, kBoolean, kPicklist, kWho, kUser, kKey };

struct EventField {
  std::string_view name;
  std::string_view label;
  Kind kind;
  std::size_t max_length;
};

constexpr std::array<std::string_view, 3> kShowAsValues = {"Busy", "OutOfOffice", "Free"};

constexpr std::array<EventField, 12> kFields = {{
    {"Subject", "Subject", Kind::kText, 255},
    {"Description", "Description", Kind::kText, 32000},
    {"Location", "Location", Kind::kText, 255},
    {"StartDateTime", "Start", Kind::kDateTime, 0},
    {"EndDateTime", "End", Kind::kDateTime, 0},
    {"ActivityDate", "Due Date Only", Kind::kDate, 0},
    {"IsAllDayEvent", "All-Day Event", Kind::kBoolean, 0},
    {"ShowAs", "Show Time As", Kind::kPicklist, 0},
    {"WhoId", "Name ID", Kind::kWho, 0},
    {"OwnerId", "Assigned To ID", Kind::kUser, 0},
    {"Type", "Type", Kind::kText, 255},
    {sf::kExternalIdField, "Crmsync Key", Kind::kKey, 255},
}};

const EventField* FindField(std::string_view name) {
  for (const EventField& f : kFields) {
    if (sf::EqualsNoCase(f.name, name)) return &f;
  }
  return nullptr;
}

bool Digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

bool IsDate(std::string_view t) {
  return t.size() == 10 && Digits(t.substr(0, 4)) && t[4] == '-' && Digits(t.substr(5, 2)) && t[7] == '-' &&
         Digits(t.substr(8, 2));
}

// 2026-05-01T10:00:00[.sss](Z|+hh:mm|+hhmm), as the REST API accepts.
bool IsDateTime(std::string_view t) {
  if (t.size() < 20 || !IsDate(t.substr(0, 10)) || t[10] != 'T' || !Digits(t.substr(11, 2)) || t[13] != ':' ||
      !Digits(t.substr(14, 2)) || t[16] != ':' || !Digits(t.substr(17, 2))) {
    return false;
  }
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return false;
    rest.remove_prefix(n);
  }
  if (rest == "Z") return true;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    return Digits(rest.substr(1, 2)) && Digits(rest.substr(4, 2));
  }
  return rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') && Digits(rest.substr(1));
}

struct Record {
  std::string key, norm_key;
  std::map<std::string, std::optional<std::string>> values;   // nullopt: null
  std::vector<SfError> errors;
  bool create = false;
  std::uint32_t index = 0;
  std::string id;
};

std::optional<SfError> ReadValue(const EventField& field, simdjson::dom::element value, Record& record) {
  const std::string name(field.name);
  if (value.is_null()) {
    record.values[name] = std::nullopt;
    return std::nullopt;
  }
  if (field.kind == Kind::kBoolean) {
    bool b = false;
    if (value.get(b)) {
      record.errors.push_back({"INVALID_TYPE_ON_FIELD_IN_RECORD",
                               fmt::format("{}: value not of required type: {}", field.label, simdjson::to_string(value)),
                               {name}});
      return std::nullopt;
    }
    record.values[name] = b ? "true" : "false";
    return std::nullopt;
  }
  std::string_view text;
  if (value.get(text)) {
    return SfError{"JSON_PARSER_ERROR", fmt::format("Cannot deserialize instance of string for {}", field.name), {}};
  }
  const std::string s(text);
  switch (field.kind) {
    case Kind::kText:
    case Kind::kKey:
      if (sf::CodePointCount(s) > field.max_length) {
        record.errors.push_back({"STRING_TOO_LONG",
                                 fmt::format("{}: data value too large (max length={})", field.label, field.max_length),
                                 {name}});
      }
      break;
    case Kind::kDateTime:
    case Kind::kDate:
      if (field.kind == Kind::kDateTime ? !IsDateTime(s) : !IsDate(s)) {
        record.errors.push_back({"INVALID_TYPE_ON_FIELD_IN_RECORD",
                                 fmt::format("{}: value not of required type: {}", field.label, s), {name}});
      }
      break;
    case Kind::kPicklist:
      if (std::find(kShowAsValues.begin(), kShowAsValues.end(), s) == kShowAsValues.end()) {
        record.errors.push_back({"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                 fmt::format("{}: bad value for restricted picklist field: {}", field.label, s),
                                 {name}});
      }
      break;
    case Kind::kWho:
    case Kind::kUser:
    case Kind::kBoolean:
      break;
  }
  if (field.kind == Kind::kKey) {
    record.key = s;
    record.norm_key = sf::AsciiLower(s);
  } else {
    record.values[name] = s;
  }
  return std::nullopt;
}

void CheckReferences(Record& record, const sf::Directory& directory) {
  for (const auto& [name, value] : record.values) {
    if (!value) continue;
    const EventField* field = FindField(name);
    const sf::IdSet* allowed = field->kind == Kind::kWho ? &directory.who_ids
                             : field->kind == Kind::kUser ? &directory.user_ids : nullptr;
    if (allowed != nullptr && !allowed->Contains(*value)) {
      record.errors.push_back({"INVALID_CROSS_REFERENCE_KEY",
                               fmt::format("{}: id value of incorrect type: {}", field->label, *value), {name}});
    }
  }
}

const std::optional<std::string>* Lookup(const Record& r, const StoredTask* stored, const char* name,
                                         std::optional<std::string>& scratch) {
  if (auto it = r.values.find(name); it != r.values.end()) return &it->second;
  if (stored != nullptr) {
    if (auto it = stored->fields.find(name); it != stored->fields.end()) {
      scratch = it->second;
      return &scratch;
    }
  }
  return nullptr;
}

// Start and end are required on create; the end must not precede the start.
void CheckTimes(Record& r, const StoredTask* stored) {
  std::optional<std::string> s_scratch, e_scratch;
  const auto* start = Lookup(r, stored, "StartDateTime", s_scratch);
  const auto* end = Lookup(r, stored, "EndDateTime", e_scratch);
  if (start == nullptr || !*start || end == nullptr || !*end) {
    r.errors.push_back({"REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime, EndDateTime]",
                        {"StartDateTime", "EndDateTime"}});
    return;
  }
  // Both UTC in the same shape compare as text; other offsets are not compared.
  if ((*start)->size() == 20 && (*end)->size() == 20 && (*start)->back() == 'Z' && (*end)->back() == 'Z' &&
      **end < **start) {
    r.errors.push_back({"FIELD_INTEGRITY_EXCEPTION", "End Date Time: End Date Time cannot be earlier than Start Date Time",
                        {"EndDateTime"}});
  }
}

}  // namespace

HttpResponse SalesforceSim::Impl::HandleEventUpsert(const HttpRequest& request, std::string_view external_id_field,
                                                    sf::Org& org, const std::string& writer_user_id) {
  if (auto answer = sf::CheckExternalIdField(external_id_field)) return *answer;
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  bool all_or_none = false;
  if (auto answer = sf::ParseCollectionBody(request.body, parser, items, &all_or_none)) return *answer;

  std::vector<Record> records;
  for (simdjson::dom::element item : items) {
    simdjson::dom::object object;
    if (item.get(object)) return sf::RestError(400, {"JSON_PARSER_ERROR", "records[] must hold objects", {}});
    Record record;
    std::string_view type;
    for (auto [key, value] : object) {
      if (key == "attributes") {
        if (value["type"].get(type)) type = {};
        continue;
      }
      if (sf::EqualsNoCase(key, "Id")) {
        record.errors.push_back({"INVALID_FIELD",
                                 "Id field should not be specified in the sobject data of an upsert by external id", {}});
        continue;
      }
      const EventField* field = FindField(key);
      if (field == nullptr) {
        record.errors.push_back({"INVALID_FIELD", fmt::format("No such column '{}' on sobject of type Event", key),
                                 {std::string(key)}});
        continue;
      }
      if (auto e = ReadValue(*field, value, record)) return sf::RestError(400, *e);
    }
    if (type != "Event") {
      record.errors.push_back({"INVALID_TYPE",
                               fmt::format("Record type '{}' does not match the sObject type 'Event' of the request URI", type),
                               {}});
    }
    if (record.norm_key.empty()) {
      record.errors.push_back({"MISSING_ARGUMENT", fmt::format("{} not specified", sf::kExternalIdField), {}});
    }
    if (auto owner = record.values.find("OwnerId");
        !writer_user_id.empty() && owner != record.values.end() && owner->second && *owner->second != writer_user_id) {
      record.errors.push_back(sf::NotOwnedError(*owner->second));
      ++owner_violations;
    }
    records.push_back(std::move(record));
  }

  std::uint64_t created = 0, updated = 0;
  bool rolled_back = false;
  {
    std::lock_guard lock(org.mu);
    sf::MarkRepeatedKeys(records);
    for (Record& r : records) {
      if (!r.errors.empty()) continue;
      CheckReferences(r, *org.directory);
      auto match = org.event_by_key.find(r.norm_key);
      const StoredTask* stored = match == org.event_by_key.end() ? nullptr : &org.events[match->second];
      CheckTimes(r, stored);
      r.create = stored == nullptr;
      if (!r.create) r.index = match->second;
    }
    for (const Record& r : records) rolled_back = rolled_back || (all_or_none && !r.errors.empty());
    if (!rolled_back) {
      for (Record& r : records) {
        if (!r.errors.empty()) continue;
        if (r.create) {
          StoredTask event;
          event.id = sf::MakeSalesforceId("00U", org.index, org.next_event_serial++);
          event.fields[std::string(sf::kExternalIdField)] = r.key;
          r.index = static_cast<std::uint32_t>(org.events.size());
          org.events.push_back(std::move(event));
          org.event_by_key[r.norm_key] = r.index;
          ++created;
        } else {
          ++updated;
        }
        StoredTask& event = org.events[r.index];
        for (auto& [name, value] : r.values) {
          if (value) {
            event.fields[name] = *value;
          } else {
            event.fields.erase(name);
          }
        }
        r.id = event.id;
      }
    }
  }

  return AnswerWrite(sf::CollectionUpsertReply(records, rolled_back), created, updated, records.size() - created - updated);
}

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> SalesforceSim::Impl::StoredByKey(
    std::vector<StoredTask> sf::Org::*records) const {
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> out;
  std::shared_lock lock(orgs_mu);
  for (const auto& [org_id, org] : orgs_by_id) {
    std::lock_guard org_lock(org->mu);
    auto& by_key = out[org->credentials.tenant];
    for (const StoredTask& record : (*org).*records) {
      if (record.id.empty()) continue;   // deleted (collections_delete.cpp)
      auto key = record.fields.find(std::string(sf::kExternalIdField));
      by_key[key == record.fields.end() ? std::string() : key->second].push_back(record);
    }
  }
  return out;
}

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> SalesforceSim::EventsByKey() const {
  return impl_->StoredByKey(&sf::Org::events);
}

}  // namespace crmsync::sim

// PATCH /services/data/vNN.0/composite/sobjects/ResourceAbsence/Crmsync_Key__c:
// sObject Collections upsert of Salesforce Scheduler absences (free/busy
// only, crmsync-sim --scheduler). Fields ResourceId (a ServiceResource of
// the org), Start, End (date-times, required on create, End not before
// Start), Type (text) and the key; anything else is INVALID_FIELD. Kept
// apart from Tasks and Events.
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

constexpr std::array<std::string_view, 4> kFields = {"ResourceId", "Start", "End", "Type"};

bool IsUtcDateTime(std::string_view t) {
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

struct Record : sf::TextRecord {
  bool create = false;
  std::uint32_t index = 0;
  std::string id;
};

}  // namespace

HttpResponse SalesforceSim::Impl::HandleResourceAbsenceUpsert(const HttpRequest& request,
                                                              std::string_view external_id_field, sf::Org& org,
                                                              const std::string& writer_user_id) {
  if (auto answer = sf::CheckExternalIdField(external_id_field)) return *answer;
  std::shared_ptr<const sf::Directory> directory;
  {
    std::lock_guard lock(org.mu);
    directory = org.directory;
  }
  if (directory->all[3].empty()) {
    return sf::RestError(404, {"NOT_FOUND", "The requested resource does not exist (sObject type 'ResourceAbsence' "
                                            "needs Salesforce Scheduler; crmsync-sim --scheduler)", {}});
  }
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (auto answer = sf::ParseCollectionBody(request.body, parser, items)) return *answer;

  std::vector<Record> records;
  for (simdjson::dom::element item : items) {
    Record record;
    if (auto answer = sf::ReadTextRecord(item, kFields, "ResourceAbsence", record)) return *answer;
    for (const char* time : {"Start", "End"}) {
      auto it = record.values.find(time);
      if (it != record.values.end() && !IsUtcDateTime(it->second)) {
        record.errors.push_back({"INVALID_TYPE_ON_FIELD_IN_RECORD", fmt::format("{}: value not of required type: {}", time, it->second), {time}});
      }
    }
    if (auto it = record.values.find("ResourceId"); it != record.values.end() && !directory->service_resource_ids.Contains(it->second)) {
      record.errors.push_back({"INVALID_CROSS_REFERENCE_KEY", fmt::format("Resource ID: id value of incorrect type: {}", it->second), {"ResourceId"}});
    } else if (it != record.values.end() && !writer_user_id.empty() &&
               !sf::IsServiceResourceOf(*directory, it->second, writer_user_id)) {
      record.errors.push_back(sf::NotOwnedError(it->second));
      ++owner_violations;
    }
    records.push_back(std::move(record));
  }

  std::uint64_t created = 0, updated = 0;
  {
    std::lock_guard lock(org.mu);
    sf::MarkRepeatedKeys(records);
    for (Record& r : records) {
      if (!r.errors.empty()) continue;
      auto match = org.absence_by_key.find(r.norm_key);
      r.create = match == org.absence_by_key.end();
      if (r.create && (!r.values.count("ResourceId") || !r.values.count("Start") || !r.values.count("End"))) {
        r.errors.push_back({"REQUIRED_FIELD_MISSING", "Required fields are missing: [ResourceId, Start, End]", {}});
        continue;
      }
      std::map<std::string, std::string> merged = r.create ? std::map<std::string, std::string>{} : org.absences[match->second].fields;
      for (const auto& [name, value] : r.values) merged[name] = value;
      if (merged["End"] < merged["Start"]) {
        r.errors.push_back({"FIELD_INTEGRITY_EXCEPTION", "End: End cannot be earlier than Start", {"End"}});
        continue;
      }
      if (r.create) {
        StoredTask absence;
        absence.id = sf::MakeSalesforceId("0Ho", org.index, org.next_absence_serial++);
        absence.fields[std::string(sf::kExternalIdField)] = r.key;
        r.index = static_cast<std::uint32_t>(org.absences.size());
        org.absences.push_back(std::move(absence));
        org.absence_by_key[r.norm_key] = r.index;
        org.absence_by_id[org.absences[r.index].id] = r.index;
        ++created;
      } else {
        r.index = match->second;
        ++updated;
      }
      StoredTask& absence = org.absences[r.index];
      for (const auto& [name, value] : r.values) absence.fields[name] = value;
      r.id = absence.id;
    }
  }
  return AnswerWrite(sf::CollectionUpsertReply(records), created, updated, records.size() - created - updated);
}

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> SalesforceSim::AbsencesByKey() const {
  return impl_->StoredByKey(&sf::Org::absences);
}

}  // namespace crmsync::sim

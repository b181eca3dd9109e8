// PATCH /services/data/vNN.0/composite/sobjects/Lead/Crmsync_Key__c:
// sObject Collections upsert of the Leads crmsync creates for unknown people
// (capture.unknown_person = "create_lead"). Fields LastName, FirstName,
// Company, Email, LeadSource and the key; LastName and Company are required
// on create (as on a real org); anything else is INVALID_FIELD. A created
// Lead joins the org's directory at once, so SOQL by Email finds it and a
// Task may name it as WhoId.
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "collection_body.hpp"
#include "salesforce_ids.hpp"
#include "sf_text.hpp"
#include "sim_state.hpp"
#include "task_fields.hpp"

namespace crmsync::sim {
namespace sf {

// Under org.mu: the directory plus every stored Lead it does not hold yet.
void AddCreatedLeadsToDirectory(Org& org) {
  std::set<std::string> held;
  for (const DirectoryRecord& r : org.directory->records) held.insert(r.id);
  OrgSetup setup = org.credentials;
  setup.records = org.directory->records;
  for (const StoredTask& lead : org.leads) {
    if (held.count(lead.id) != 0) continue;
    auto field = [&](const char* name) {
      auto it = lead.fields.find(name);
      return it == lead.fields.end() ? std::string() : it->second;
    };
    setup.records.push_back(DirectoryRecord{"Lead", lead.id, field("Email"), field("FirstName"), field("LastName"), ""});
  }
  org.directory = BuildDirectory(setup);
}

}  // namespace sf

namespace {

using sf::SfError;

constexpr std::array<std::string_view, 5> kFields = {"LastName", "FirstName", "Company", "Email", "LeadSource"};

struct Record : sf::TextRecord {
  bool create = false;
  std::string id;
};

}  // namespace

HttpResponse SalesforceSim::Impl::HandleLeadUpsert(const HttpRequest& request, std::string_view external_id_field,
                                                   sf::Org& org) {
  if (auto answer = sf::CheckExternalIdField(external_id_field)) return *answer;
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (auto answer = sf::ParseCollectionBody(request.body, parser, items)) return *answer;

  std::vector<Record> records;
  for (simdjson::dom::element item : items) {
    Record record;
    if (auto answer = sf::ReadTextRecord(item, kFields, "Lead", record)) return *answer;
    if (auto it = record.values.find("Email"); it != record.values.end() && it->second.find('@') == std::string::npos) {
      record.errors.push_back({"INVALID_EMAIL_ADDRESS", fmt::format("Email: invalid email address: {}", it->second), {"Email"}});
    }
    records.push_back(std::move(record));
  }

  std::uint64_t created = 0, updated = 0;
  {
    std::lock_guard lock(org.mu);
    sf::MarkRepeatedKeys(records);
    for (Record& r : records) {
      if (!r.errors.empty()) continue;
      auto match = org.lead_by_key.find(r.norm_key);
      r.create = match == org.lead_by_key.end();
      if (r.create && (r.values["LastName"].empty() || r.values["Company"].empty())) {
        r.errors.push_back({"REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName, Company]", {"LastName", "Company"}});
        continue;
      }
      std::uint32_t index = 0;
      if (r.create) {
        StoredTask lead;
        lead.id = sf::MakeSalesforceId("00Q", org.index, org.next_lead_serial++);
        lead.fields[std::string(sf::kExternalIdField)] = r.key;
        index = static_cast<std::uint32_t>(org.leads.size());
        org.leads.push_back(std::move(lead));
        org.lead_by_key[r.norm_key] = index;
        ++created;
      } else {
        index = match->second;
        ++updated;
      }
      StoredTask& lead = org.leads[index];
      for (const auto& [name, value] : r.values) {
        if (!value.empty()) lead.fields[name] = value;
      }
      r.id = lead.id;
    }
    if (created > 0) sf::AddCreatedLeadsToDirectory(org);
  }
  return AnswerWrite(sf::CollectionUpsertReply(records), created, updated, records.size() - created - updated);
}

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> SalesforceSim::LeadsByKey() const {
  return impl_->StoredByKey(&sf::Org::leads);
}

}  // namespace crmsync::sim

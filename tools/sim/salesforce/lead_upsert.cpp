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

constexpr std::size_t kMaxRecords = 200;
constexpr std::array<std::string_view, 5> kFields = {"LastName", "FirstName", "Company", "Email", "LeadSource"};

struct Record {
  std::string key, norm_key;
  std::map<std::string, std::string> values;
  std::vector<SfError> errors;
  bool create = false;
  std::string id;
};

}  // namespace

HttpResponse SalesforceSim::Impl::HandleLeadUpsert(const HttpRequest& request, std::string_view external_id_field,
                                                   sf::Org& org) {
  if (!sf::EqualsNoCase(external_id_field, sf::kExternalIdField)) {
    return sf::RestError(404, {"NOT_FOUND",
                               fmt::format("Provided external ID field does not exist or is not accessible: {}",
                                           external_id_field),
                               {}});
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(request.body).get(root)) {
    return sf::RestError(400, {"JSON_PARSER_ERROR", fmt::format("Malformed JSON request body: {}", simdjson::error_message(e)), {}});
  }
  simdjson::dom::array items;
  if (root["records"].get(items)) {
    return sf::RestError(400, {"INVALID_FIELD", "The request body must contain a 'records' array", {"records"}});
  }
  if (items.size() > kMaxRecords) return sf::RestError(400, {"EXCEEDED_ID_LIMIT", "Maximum number of records allowed is 200", {}});

  std::vector<Record> records;
  for (simdjson::dom::element item : items) {
    simdjson::dom::object object;
    if (item.get(object)) return sf::RestError(400, {"JSON_PARSER_ERROR", "records[] must hold objects", {}});
    Record record;
    for (auto [key, value] : object) {
      if (key == "attributes") continue;
      std::string_view text;
      if (value.get(text)) {
        return sf::RestError(400, {"JSON_PARSER_ERROR", fmt::format("Cannot deserialize instance of string for {}", key), {}});
      }
      if (sf::EqualsNoCase(key, sf::kExternalIdField)) {
        record.key = std::string(text);
        record.norm_key = sf::AsciiLower(text);
        continue;
      }
      auto field = std::find_if(kFields.begin(), kFields.end(), [&](std::string_view f) { return sf::EqualsNoCase(f, key); });
      if (field == kFields.end()) {
        record.errors.push_back({"INVALID_FIELD", fmt::format("No such column '{}' on sobject of type Lead", key),
                                 {std::string(key)}});
        continue;
      }
      record.values[std::string(*field)] = std::string(text);
    }
    if (record.norm_key.empty()) {
      record.errors.push_back({"MISSING_ARGUMENT", fmt::format("{} not specified", sf::kExternalIdField), {}});
    }
    if (auto it = record.values.find("Email"); it != record.values.end() && it->second.find('@') == std::string::npos) {
      record.errors.push_back({"INVALID_EMAIL_ADDRESS", fmt::format("Email: invalid email address: {}", it->second), {"Email"}});
    }
    records.push_back(std::move(record));
  }

  std::uint64_t created = 0, updated = 0;
  {
    std::lock_guard lock(org.mu);
    std::set<std::string> seen;
    for (Record& r : records) {
      if (r.errors.empty() && !seen.insert(r.norm_key).second) {
        r.errors.push_back({"DUPLICATE_VALUE", fmt::format("Duplicate external id specified: {}", r.key), {std::string(sf::kExternalIdField)}});
      }
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
  std::string body = "[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i != 0) body.push_back(',');
    const Record& r = records[i];
    if (!r.errors.empty()) {
      sf::AppendFailedRecord(body, r.errors);
    } else {
      fmt::format_to(std::back_inserter(body), R"({{"id":"{}","success":true,"errors":[],"created":{}}})", r.id, r.create);
    }
  }
  body.push_back(']');
  records_created.fetch_add(created);
  records_updated.fetch_add(updated);
  records_failed.fetch_add(records.size() - created - updated);
  return sf::JsonResponse(200, std::move(body));
}

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> SalesforceSim::LeadsByKey() const {
  return impl_->StoredByKey(&sf::Org::leads);
}

}  // namespace crmsync::sim

// DELETE /services/data/vNN.0/composite/sobjects?ids=a,b[&allOrNone=false]:
// sObject Collections delete. The simulated org deletes ResourceAbsences
// (crmsync releases the absence of a slot that is no longer busy); any other
// id is refused per record. Answered like an upsert, one {id, success,
// errors} per id in request order; a deleted absence leaves every snapshot.
#include <fmt/format.h>

#include "salesforce_ids.hpp"
#include "sf_text.hpp"
#include "sim_state.hpp"
#include "task_fields.hpp"

namespace crmsync::sim {

namespace {
constexpr std::size_t kMaxIds = 200;
}  // namespace

HttpResponse SalesforceSim::Impl::HandleCollectionsDelete(const HttpRequest& request, sf::Org& org,
                                                         const std::string& writer_user_id) {
  auto it = request.query.find("ids");
  if (it == request.query.end() || it->second.empty()) {
    return sf::RestError(400, {"MISSING_ARGUMENT", "ids not specified", {}});
  }
  std::vector<std::string> ids;
  std::string_view list = it->second;
  while (true) {
    const std::size_t comma = list.find(',');
    ids.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (ids.size() > kMaxIds) return sf::RestError(400, {"EXCEEDED_ID_LIMIT", "Maximum number of records allowed is 200", {}});
  std::string body = "[";
  std::uint64_t deleted = 0;
  {
    std::lock_guard lock(org.mu);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i != 0) body.push_back(',');
      const std::string& id = ids[i];
      std::vector<sf::SfError> errors;
      if (!sf::IsWellFormedId(id)) {
        errors.push_back({"MALFORMED_ID", fmt::format("malformed id {}", id), {}});
      } else if (org.deleted_absence_ids.count(id) != 0) {
        errors.push_back({"ENTITY_IS_DELETED", "entity is deleted", {}});
      } else {
        auto found = org.absence_by_id.find(id);
        if (found == org.absence_by_id.end()) {
          errors.push_back({"INVALID_CROSS_REFERENCE_KEY",
                            fmt::format("invalid cross reference id (the simulated org deletes ResourceAbsences only): {}", id), {}});
        } else if (auto resource = org.absences[found->second].fields.find("ResourceId");
                   !writer_user_id.empty() && (resource == org.absences[found->second].fields.end() ||
                                               !sf::IsServiceResourceOf(*org.directory, resource->second, writer_user_id))) {
          errors.push_back(sf::NotOwnedError(id));
          ++owner_violations;
        } else {
          StoredTask& absence = org.absences[found->second];
          auto key = absence.fields.find(std::string(sf::kExternalIdField));
          if (key != absence.fields.end()) org.absence_by_key.erase(sf::AsciiLower(key->second));
          absence.fields.clear();
          absence.id.clear();
          org.absence_by_id.erase(found);
          org.deleted_absence_ids.insert(id);
          ++deleted;
        }
      }
      if (errors.empty()) {
        fmt::format_to(std::back_inserter(body), R"({{"id":"{}","success":true,"errors":[]}})", id);
      } else {
        sf::AppendFailedRecord(body, errors);
      }
    }
  }
  body.push_back(']');
  records_updated.fetch_add(deleted);   // a delete changes a record; counted with the updates
  return sf::JsonResponse(200, std::move(body));
}

}  // namespace crmsync::sim

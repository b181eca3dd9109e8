#include <fmt/format.h>

#include "sim_state.hpp"
#include "sf_text.hpp"

namespace crmsync::sim::sf {

int SobjectSlot(std::string_view sobject) {
  if (sobject == "Contact") return 0;
  if (sobject == "Lead") return 1;
  if (sobject == "User") return 2;
  if (sobject == "ServiceResource") return 3;
  return -1;
}

bool IsServiceResourceOf(const Directory& directory, std::string_view resource_id, std::string_view user_id) {
  auto it = directory.by_related_record.find(AsciiLower(user_id));
  if (it == directory.by_related_record.end()) return false;
  for (std::uint32_t index : it->second) {
    if (directory.records[index].id == resource_id) return true;
  }
  return false;
}

SfError NotOwnedError(std::string_view record) {
  return {"INSUFFICIENT_ACCESS_OR_READONLY",
          fmt::format("insufficient access rights on object id: the session's user does not own {}", record),
          {}};
}

std::shared_ptr<const Directory> BuildDirectory(const OrgSetup& setup) {
  auto directory = std::make_shared<Directory>();
  directory->records = setup.records;
  for (std::size_t i = 0; i < directory->records.size(); ++i) {
    const DirectoryRecord& record = directory->records[i];
    int slot = SobjectSlot(record.sobject);
    if (slot < 0) continue;
    auto index = static_cast<std::uint32_t>(i);
    auto s = static_cast<std::size_t>(slot);
    directory->all[s].push_back(index);
    if (!record.email.empty()) directory->by_email[s][AsciiLower(record.email)].push_back(index);
    if (slot == SobjectSlot("User")) {
      directory->user_ids.Insert(record.id);
      if (!record.federation_id.empty()) {
        directory->users_by_federation_id[AsciiLower(record.federation_id)].push_back(index);
      }
    } else if (slot == SobjectSlot("ServiceResource")) {
      directory->service_resource_ids.Insert(record.id);
      if (!record.related_record_id.empty()) {
        directory->by_related_record[AsciiLower(record.related_record_id)].push_back(index);
      }
    } else {
      directory->who_ids.Insert(record.id);
    }
  }
  if (!setup.integration_user_id.empty()) directory->user_ids.Insert(setup.integration_user_id);
  return directory;
}

}  // namespace crmsync::sim::sf

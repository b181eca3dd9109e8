#include "mailbox_access.hpp"

namespace crmsync::sim {

void MailboxAccess::RevokeTenant(int tenant) {
  std::lock_guard lock(mu_);
  tenants_.insert(tenant);
}

void MailboxAccess::RevokeUser(int tenant, int user) {
  std::lock_guard lock(mu_);
  users_.insert({tenant, user});
}

void MailboxAccess::Restore(int tenant) {
  std::lock_guard lock(mu_);
  tenants_.erase(tenant);
  std::erase_if(users_, [&](const auto& entry) { return entry.first == tenant; });
}

void MailboxAccess::RestoreUser(int tenant, int user) {
  std::lock_guard lock(mu_);
  users_.erase({tenant, user});
}

bool MailboxAccess::TenantRevoked(int tenant) const {
  std::lock_guard lock(mu_);
  return tenants_.count(tenant) != 0;
}

bool MailboxAccess::UserRevoked(int tenant, int user) const {
  std::lock_guard lock(mu_);
  return tenants_.count(tenant) != 0 || users_.count({tenant, user}) != 0;
}

}  // namespace crmsync::sim

// Which mailboxes the simulated mail systems let the application read: an
// administrator can revoke the application's access for a whole tenant (its
// token grants fail) or for one user (that mailbox answers 403 / that user's
// delegated grant fails). Driven by /_sim/revoke-mailbox and
// /_sim/restore-mailbox. Thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <utility>

namespace crmsync::sim {

class MailboxAccess {
 public:
  void RevokeTenant(int tenant);
  void RevokeUser(int tenant, int user);
  // Gives back every access of `tenant` (tenant-wide and per user).
  void Restore(int tenant);
  // Gives back one user's access (a user consenting again: /_sim/reissue-mailbox).
  void RestoreUser(int tenant, int user);

  bool TenantRevoked(int tenant) const;
  // True when the user's own access, or the whole tenant's, is revoked.
  bool UserRevoked(int tenant, int user) const;

 private:
  mutable std::mutex mu_;
  std::set<int> tenants_;
  std::set<std::pair<int, int>> users_;
};

}  // namespace crmsync::sim

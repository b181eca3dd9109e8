// /_sim/ endpoints that drive connection lifecycles (README "Simulator"):
//   POST /_sim/revoke?tenant=T[&after_upserts=N]   Salesforce refresh token revoked (invalid_grant)
//   POST /_sim/reissue?tenant=T                    a new refresh token: {"refresh_token":"..."}
//   POST /_sim/expire-sessions?tenant=T[&after_upserts=N]   live access tokens expire (401)
//   POST /_sim/revoke-mailbox?tenant=T[&user=ADDRESS]       mail access revoked, tenant-wide or one user
//   POST /_sim/restore-mailbox?tenant=T            mail access given back
//   GET  /_sim/token-grants?tenant=T               {"salesforce":N,"salesforce_users":{"ADDRESS":N}}
//   POST /_sim/reissue?tenant=T&user=ADDRESS       per-user authorization: that user's own refresh token
//   POST /_sim/revoke?tenant=T&user=ADDRESS[&after_upserts=N]   revokes that user's token only
#pragma once

#include "corpus.hpp"
#include "http_server.hpp"
#include "mailbox_access.hpp"
#include "salesforce_sim.hpp"

namespace crmsync::sim {

class LifecycleAdmin {
 public:
  LifecycleAdmin(const Corpus& corpus, SalesforceSim& salesforce, MailboxAccess& access)
      : corpus_(corpus), salesforce_(salesforce), access_(access) {}

  static bool Owns(const HttpRequest& request);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse HandleUserGrant(const HttpRequest& request, const std::string& tenant_id, const std::string& address,
                               std::uint64_t after_upserts);

  const Corpus& corpus_;
  SalesforceSim& salesforce_;
  MailboxAccess& access_;
};

}  // namespace crmsync::sim

// /_sim/ endpoints that drive connection lifecycles (README "Simulator"):
//   POST /_sim/revoke?tenant=T[&after_upserts=N]   Salesforce refresh token revoked (invalid_grant)
//   POST /_sim/reissue?tenant=T                    a new refresh token: {"refresh_token":"..."}
//   POST /_sim/expire-sessions?tenant=T[&after_upserts=N]   live access tokens expire (401)
//   POST /_sim/revoke-mailbox?tenant=T[&user=ADDRESS]       mail access revoked, tenant-wide or one user
//   POST /_sim/restore-mailbox?tenant=T            mail access given back
//   GET  /_sim/token-grants?tenant=T               {"salesforce":N}
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
  const Corpus& corpus_;
  SalesforceSim& salesforce_;
  MailboxAccess& access_;
};

}  // namespace crmsync::sim

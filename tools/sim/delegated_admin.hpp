// /_sim/ endpoint for per-user (delegated) mailbox consent:
//   POST /_sim/reissue-mailbox?tenant=T&user=ADDRESS
//     the user consents (again): their access is given back and a fresh
//     refresh token is answered, {"tenant":T,"user":ADDRESS,"refresh_token":"..."};
//     every earlier refresh token of that user is void.
// Revoking one user's consent is /_sim/revoke-mailbox?tenant=T&user=ADDRESS
// (lifecycle_admin.hpp): their refresh grants then fail with invalid_grant.
#pragma once

#include "corpus.hpp"
#include "delegated_tokens.hpp"
#include "http_server.hpp"
#include "mailbox_access.hpp"

namespace crmsync::sim {

class DelegatedAdmin {
 public:
  DelegatedAdmin(const Corpus& corpus, DelegatedTokens& tokens, MailboxAccess& access)
      : corpus_(corpus), tokens_(tokens), access_(access) {}

  static bool Owns(const HttpRequest& request) { return request.path == "/_sim/reissue-mailbox"; }
  HttpResponse Handle(const HttpRequest& request);

 private:
  const Corpus& corpus_;
  DelegatedTokens& tokens_;
  MailboxAccess& access_;
};

}  // namespace crmsync::sim

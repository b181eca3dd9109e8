// authorization = "per_user": every user writes to Salesforce with their own
// refresh token (sealed in the state by `crmsync connect salesforce --user`).
// One token provider per user, created at the user's first write, so each
// user's session is refreshed once on expiry however many of their writes
// are in flight, and a rotated refresh token is stored before it is used.
// CRM lookups (Users at set-up, Contacts/Leads while resolving) go through
// the session of one connected user, the "lookup user": Contact, Lead and
// User reads are assumed org-wide (Public Read Only sharing or wider).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/salesforce/client.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

class UserSessions {
 public:
  // `client_options`: how each user's client is made (the tenant's, sharing
  // the org's adaptive concurrency limit).
  UserSessions(http::Transport& transport, state::Store& store, const state::SecretBox* secrets,
               const TenantConfig& config, salesforce::SalesforceClientOptions client_options);

  // Reads each user's sealed refresh token (primary address, then aliases);
  // `users` index-aligned with the tenant's directory. A token that does not
  // open (another user's, another tenant's, another master key) is an error.
  Status Load(const std::vector<MailboxUser>& users);

  bool HasToken(std::size_t user) const { return user < tokens_.size() && !tokens_[user].empty(); }
  // The Salesforce client that writes as `user` (HasToken), created on first
  // use. Thread-safe.
  salesforce::SalesforceClient& Client(std::size_t user);
  // That user's token provider (the same one Client() writes with), for the
  // lookup session's own client.
  auth::TokenProvider& Session(std::size_t user);
  // Connected users not refused yet, in directory order: the candidates for
  // the lookup session.
  std::vector<std::size_t> LookupCandidates() const;
  // The session CRM lookups use: the first candidate's; when Salesforce
  // refuses that user's grant, the user is refused (`on_refused` is told,
  // on the transport thread) and the next candidate's session takes over, so
  // one user's revoked token never stops the tenant's lookups. Created once.
  auth::TokenProvider& Lookup(std::function<void(std::size_t user, const Status& refusal)> on_refused);

  // Salesforce refused the user's grant (invalid_grant): their writes stop
  // for this run. Thread-safe.
  void Refuse(std::size_t user);
  bool Refused(std::size_t user) const { return user < tokens_.size() && refused_[user].load(); }

  // Token grants of every user's session (successful or not), and the REST
  // calls of their writes.
  std::uint64_t grants() const;
  std::uint64_t calls() const;

 private:
  http::Transport& transport_;
  state::Store& store_;
  const state::SecretBox* secrets_;
  const TenantConfig& config_;
  salesforce::SalesforceClientOptions client_options_;
  std::vector<std::string> tokens_;      // per user; "" = no authorization recorded
  std::vector<std::string> kinds_;       // per user: the secret kind the token was found under
  std::unique_ptr<std::atomic<bool>[]> refused_;
  mutable std::mutex mu_;                // guards providers_ and clients_
  std::vector<std::unique_ptr<auth::TokenProvider>> providers_;
  std::vector<std::unique_ptr<salesforce::SalesforceClient>> clients_;
  std::unique_ptr<auth::TokenProvider> lookup_;
};

// "no Salesforce authorization recorded (crmsync connect salesforce --tenant T --user U)"
std::string NoSalesforceAuthorizationReason(const std::string& tenant, const std::string& address);

}  // namespace crmsync::engine

// The simulated Salesforce: OAuth refresh-token grant, REST versions, the
// SOQL subset the engine uses, sObject Collections upsert of Task on
// Crmsync_Key__c, Composite Graph upserts of EmailMessage and
// EmailMessageRelation (Enhanced Email), for any number of orgs behind one origin. Strict like the
// real service (API-FACTS.md §4). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_server.hpp"

namespace crmsync::sim {

struct DirectoryRecord {
  std::string sobject;   // "Contact", "Lead" or "User"
  std::string id;        // 18-char id: 003... Contact, 00Q... Lead, 005... User
  std::string email;     // as stored (may have upper-case letters)
  std::string first_name;
  std::string last_name;
  std::string federation_id;   // User.FederationIdentifier (SSO id), may be empty; matched case-insensitively
  // ServiceResource.RelatedRecordId (its User), Salesforce Scheduler orgs only.
  // The default initializer keeps six-value brace initializations warning-free.
  std::string related_record_id = {};
};

struct OrgSetup {
  std::string org_id;         // 00D...
  std::string tenant;         // crmsync tenant id this org belongs to, e.g. "tenant-1"
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string integration_user_id;   // the service account's User id (005...)
  std::vector<DirectoryRecord> records;
};

// One Task as stored; the verify endpoint compares these with ground truth.
struct StoredTask {
  std::string id;
  std::map<std::string, std::string> fields;   // field name -> value as sent (JSON null -> absent)
};

// One EmailMessage as stored, with the EmailMessageRelation rows whose
// EmailMessageId is its id.
struct StoredEmailMessage {
  StoredTask message;
  std::vector<StoredTask> relations;
};

struct SalesforceCounters {
  std::uint64_t records_created = 0;
  std::uint64_t records_updated = 0;
  std::uint64_t records_failed = 0;
};

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

class SalesforceSim {
 public:
  // origin: "https://127.0.0.1:PORT", used for instance_url and id URLs.
  // token_ttl: sessions expire after this long (by `clock`).
  SalesforceSim(std::string origin, std::chrono::seconds token_ttl, SteadyClock clock = {});
  ~SalesforceSim();

  void AddOrg(OrgSetup org);

  // True for the paths this service owns: /services/...
  static bool Owns(const HttpRequest& request);
  // Answers one request. Never throws.
  HttpResponse Handle(const HttpRequest& request);

  // Connection lifecycle controls (admin /_sim/revoke, /_sim/reissue,
  // /_sim/expire-sessions; grants.cpp). `after_upserts` > 0 arms the action
  // to happen once the org has served that many more upsert requests, so a
  // test can make it land in the middle of a run. False: no org for `tenant`.
  bool RevokeRefreshToken(const std::string& tenant, std::uint64_t after_upserts = 0);
  bool ExpireSessions(const std::string& tenant, std::uint64_t after_upserts = 0);
  // A new refresh token for the tenant's org (the old one stops working);
  // empty when there is no org for `tenant`.
  std::string ReissueRefreshToken(const std::string& tenant);
  // Each refresh grant answers with a new refresh token and voids the old one.
  void SetRotateRefreshTokens(bool rotate);
  // Called with every access token a grant hands out, and every rotated
  // refresh token.
  void SetTokenIssuedHook(std::function<void(const std::string& access_token)> hook);
  // Called with the tenant of another org whose record id a write sent to
  // this org referenced (one tenant's data reaching another's org). Set
  // before the first request.
  void SetForeignReferenceHook(std::function<void(const std::string& victim_tenant)> hook);
  // describe of `sobject` omits Crmsync_Key__c (crmsync doctor's test).
  void SetMissingKeyField(const std::string& sobject);
  // Token grants per tenant (successful or not), for "one refresh" checks.
  std::uint64_t TokenGrants(const std::string& tenant) const;

  // Per-user authorization (user_grants.cpp). A new refresh token for the
  // mailbox user `address` of `tenant`, bound to the org's User whose Email
  // is `address` (the user's old one stops working); empty when the tenant
  // has no org or the org no such User.
  std::string ReissueUserRefreshToken(const std::string& tenant, const std::string& address);
  // Revokes that user's token only (at once, or after `after_upserts` more
  // upserts of the org); false when the user has none.
  bool RevokeUserRefreshToken(const std::string& tenant, const std::string& address,
                              std::uint64_t after_upserts = 0);
  // Refresh grants asked with each user's token, by address.
  std::map<std::string, std::uint64_t> UserTokenGrants(const std::string& tenant) const;
  // Tasks a per-user session wrote (or tried to) with another user as OwnerId.
  std::uint64_t OwnerViolations() const;

  // Fault injection (tools/sim/faults.hpp): asked for each valid Task of an
  // upsert; an answer (statusCode, message) fails that record permanently.
  using RecordFaults = std::function<std::optional<std::pair<std::string, std::string>>(
      const std::string& tenant, const std::string& key)>;
  void SetRecordFaults(RecordFaults faults);

  // Tasks stored by every org (what TasksByKey would hold, without copying them).
  std::uint64_t TaskCount() const;
  // Snapshot of every Task per tenant: tasks_by_key[tenant][Crmsync_Key__c] -> records.
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> TasksByKey() const;
  // Snapshot of every EmailMessage per tenant, by Crmsync_Key__c, with its relations.
  std::map<std::string, std::map<std::string, std::vector<StoredEmailMessage>>> EmailMessagesByKey() const;
  // Snapshot of every calendar Event per tenant, by Crmsync_Key__c (event_upsert.cpp).
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> EventsByKey() const;
  // Snapshot of every ResourceAbsence per tenant, by Crmsync_Key__c (resource_absence_upsert.cpp).
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> AbsencesByKey() const;
  // Snapshot of every Lead crmsync created, per tenant, by Crmsync_Key__c (lead_upsert.cpp).
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> LeadsByKey() const;
  SalesforceCounters counters() const;
  // Requests by family ("sf.token", "sf.versions", "sf.query", "sf.upsert") and status.
  std::map<std::string, std::map<int, std::uint64_t>> RequestCounts() const;

 private:
  // Deterministic concurrency tests reach the upsert decision hook through
  // this (test_hooks.hpp); production code has no way to set it.
  friend struct SalesforceSimTestAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::sim

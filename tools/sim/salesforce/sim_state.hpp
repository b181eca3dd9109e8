// Internal state of SalesforceSim (not part of its interface): the orgs,
// their directory and Task store, live sessions, query cursors and request
// statistics, and the endpoint handlers that work on them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "id_set.hpp"
#include "salesforce_sim.hpp"
#include "sf_error.hpp"
#include "soql_subset.hpp"
#include "task_key_index.hpp"
#include "task_values.hpp"

namespace crmsync::sim::sf {

using TimePoint = std::chrono::steady_clock::time_point;

// The daily API allocation the simulated orgs report (Enterprise baseline).
inline constexpr std::uint64_t kDailyApiAllocation = 100000;

// An org's Contacts, Leads and Users. Immutable once built, so queries and
// upserts read it without holding the org lock.
struct Directory {
  std::vector<DirectoryRecord> records;
  // Per sobject (Contact, Lead, User, ServiceResource): lower-cased email -> record indices.
  std::array<std::unordered_map<std::string, std::vector<std::uint32_t>>, 4> by_email;
  std::array<std::vector<std::uint32_t>, 4> all;   // record indices per sobject
  // ServiceResources (Salesforce Scheduler orgs): lower-cased RelatedRecordId -> record indices.
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_related_record;
  IdSet service_resource_ids;
  // Users: lower-cased FederationIdentifier -> record indices.
  std::unordered_map<std::string, std::vector<std::uint32_t>> users_by_federation_id;
  IdSet who_ids;    // Contacts and Leads
  IdSet user_ids;   // Users, including the integration user
};

// Whether ServiceResource `resource_id` is the one of User `user_id` (its RelatedRecordId).
bool IsServiceResourceOf(const Directory& directory, std::string_view resource_id, std::string_view user_id);

// The per-record answer to a per-user session writing a record it does not own.
SfError NotOwnedError(std::string_view record);

// Index of "Contact" / "Lead" / "User" / "ServiceResource" in Directory arrays, or -1.
int SobjectSlot(std::string_view sobject);

std::shared_ptr<const Directory> BuildDirectory(const OrgSetup& setup);

struct Org;
// Under org.mu: rebuilds the org's directory with every created Lead it
// lacks (lead_upsert.cpp).
void AddCreatedLeadsToDirectory(Org& org);

// One page source for nextRecordsUrl.
struct QueryCursor {
  std::string locator;            // 18-character 01g... id
  std::shared_ptr<const Directory> directory;
  std::string sobject;
  std::vector<SoqlField> fields;
  std::shared_ptr<const std::vector<std::uint32_t>> rows;
  std::size_t batch_size = 0;
  TimePoint created;
};

// One user's own refresh token (per-user authorization).
struct UserGrant {
  std::string refresh_token;            // empty: revoked
  std::string user_id;                  // the Salesforce User (005...) its sessions act as
  std::uint64_t revoke_at_upsert = 0;   // org upsert count at which it is revoked (0 = never)
  std::uint64_t grants = 0;             // refresh grants asked with it
};

struct TaskRecord {
  TaskValues values;
  // The next Task with the same key (kNoTask: none). Only a concurrent-create
  // race makes a second one, exactly as on a real org.
  std::uint32_t next_with_key = kNoTask;
};

struct Org {
  std::uint32_t index = 0;               // distinguishes ids between orgs
  std::string org_id;
  std::atomic<std::uint64_t> api_usage{0};

  mutable std::mutex mu;                 // guards everything below
  OrgSetup credentials;                  // setup without its records
  std::shared_ptr<const Directory> directory;
  // The Tasks in creation order; never shrinks, so indices are stable (a
  // deque: growing never moves the ~375k of a benchmark). Task i's id is
  // TaskId(*this, i).
  std::deque<TaskRecord> tasks;
  // Lower-cased Crmsync_Key__c -> its Tasks and in-flight creates. An
  // upsert keeps a reference to its keys' entries from deciding to
  // committing. An entry with neither is a key no Task has (an all-or-none
  // request that decided to create it was rolled back).
  TaskKeyIndex tasks_by_key;
  std::uint64_t race_creates = 0;        // creates decided while the key was in flight elsewhere
  std::uint64_t next_cursor_serial = 1;
  std::deque<QueryCursor> cursors;       // oldest first
  // Enhanced Email (composite_graph.cpp), kept like the Tasks: vectors that
  // never shrink, lower-cased Crmsync_Key__c -> indices.
  std::vector<StoredTask> email_messages;
  std::unordered_map<std::string, std::vector<std::uint32_t>> email_messages_by_key;
  std::unordered_map<std::string, std::uint32_t> email_message_by_id;
  std::vector<StoredTask> email_relations;
  std::unordered_map<std::string, std::vector<std::uint32_t>> email_relations_by_key;
  std::uint64_t next_email_serial = 1;
  std::uint64_t next_relation_serial = 1;
  // Calendar Events (event_upsert.cpp): lower-cased Crmsync_Key__c -> index.
  std::vector<StoredTask> events;
  std::unordered_map<std::string, std::uint32_t> event_by_key;
  std::uint64_t next_event_serial = 1;
  // ResourceAbsences (resource_absence_upsert.cpp), kept like the Events.
  std::vector<StoredTask> absences;
  std::unordered_map<std::string, std::uint32_t> absence_by_key;
  // Record id -> index, and the ids deleted (collections_delete.cpp): a
  // deleted absence keeps its slot in `absences` with an empty id and no fields.
  std::unordered_map<std::string, std::uint32_t> absence_by_id;
  std::unordered_set<std::string> deleted_absence_ids;
  std::uint64_t next_absence_serial = 1;
  // Leads crmsync created (lead_upsert.cpp), kept like the Events; each
  // also joins `directory`.
  std::vector<StoredTask> leads;
  std::unordered_map<std::string, std::uint32_t> lead_by_key;
  std::uint64_t next_lead_serial = 1;
  // Lifecycle controls (grants.cpp): upserts served, and the upsert count
  // at which the refresh token is revoked / the sessions expire (0 = never).
  std::uint64_t upserts_served = 0;
  std::uint64_t revoke_at_upsert = 0;
  std::uint64_t expire_at_upsert = 0;
  std::atomic<std::uint64_t> token_grants{0};
  // Per-user authorization (user_grants.cpp): mailbox address (lower case)
  // -> that user's own refresh token, bound to their Salesforce User.
  std::map<std::string, UserGrant> user_grants;
};

// The id of the org's Task at `index` (upsert.cpp): ids are given in creation order.
std::string TaskId(const Org& org, std::uint32_t index);

struct Session {
  std::shared_ptr<Org> org;
  TimePoint issued;
  std::string user_id = {};   // per-user session: the Salesforce User it acts as ("" = service account)
};

enum class Family { kToken, kVersions, kQuery, kUpsert, kOther, kCount };

// Lock-free request statistics: family x HTTP status.
class RequestCounter {
 public:
  void Add(Family family, int status);
  std::map<std::string, std::map<int, std::uint64_t>> Snapshot() const;

 private:
  static constexpr int kStatuses = 600;
  std::array<std::array<std::atomic<std::uint64_t>, kStatuses>,
             static_cast<std::size_t>(Family::kCount)>
      counts_{};
};

// JSON responses. The router adds Sforce-Limit-Info to every REST answer.
HttpResponse JsonResponse(int status, std::string body);
HttpResponse RestError(int status, const SfError& error);
// 400 {"error":...,"error_description":...} of the OAuth endpoint.
HttpResponse OAuthError(std::string_view error, std::string_view description);
void AddLimitInfo(HttpResponse& response, std::uint64_t api_usage);

}  // namespace crmsync::sim::sf

namespace crmsync::sim {

struct SalesforceSim::Impl {
  Impl(std::string origin_in, std::chrono::seconds ttl_in, SteadyClock clock_in);

  HttpResponse Route(const HttpRequest& request, sf::Family& family);

  // Endpoints (one file each).
  HttpResponse HandleToken(const HttpRequest& request);
  // OAuth web-server flow (grants.cpp): the authorize page approves at once
  // and redirects with a code; the code grant answers a new refresh token.
  HttpResponse HandleAuthorize(const HttpRequest& request);
  HttpResponse HandleAuthorizationCode(const std::map<std::string, std::string>& form);
  // The access-token answer of a grant (oauth_token.cpp).
  HttpResponse IssueTokens(const std::shared_ptr<sf::Org>& org, const std::string& refresh_token_to_send,
                           const std::string& user_id = {});
  // Per-user refresh grant (user_grants.cpp), asked of `org` with a token
  // that is not its service account's; nullopt when `org` holds no such user token.
  std::optional<HttpResponse> HandleUserRefresh(const std::shared_ptr<sf::Org>& org, const std::string& token);
  // Another org holds `token` as a user's refresh token (isolation).
  bool OtherOrgHoldsUserToken(const sf::Org& org, const std::string& token) const;
  // The Salesforce User a per-user session acts as; "" for the service account.
  std::string SessionUser(const HttpRequest& request) const;
  std::atomic<std::uint64_t> owner_violations{0};
  struct PendingCode {
    std::shared_ptr<sf::Org> org;
    std::string redirect_uri, code_challenge;
  };
  std::mutex codes_mu;
  std::unordered_map<std::string, PendingCode> codes;
  HttpResponse HandleVersions(const HttpRequest& request);
  HttpResponse HandleVersionRoot(int version, sf::Org& org);
  HttpResponse HandleLimits(sf::Org& org);
  HttpResponse HandleQuery(const HttpRequest& request, int version, sf::Org& org);
  HttpResponse HandleQueryMore(std::string_view locator, int version, sf::Org& org);
  // `writer_user_id`: the per-user session's Salesforce User ("" = service
  // account); a Task owned by anyone else is refused.
  HttpResponse HandleUpsert(const HttpRequest& request, std::string_view sobject,
                            std::string_view external_id_field, sf::Org& org, const std::string& writer_user_id = {});
  // `writer_user_id` as for HandleUpsert: a per-user session may write only
  // Events it owns and absences of its own ServiceResource.
  HttpResponse HandleEventUpsert(const HttpRequest& request, std::string_view external_id_field, sf::Org& org,
                                 const std::string& writer_user_id);
  HttpResponse HandleResourceAbsenceUpsert(const HttpRequest& request, std::string_view external_id_field,
                                           sf::Org& org, const std::string& writer_user_id);
  HttpResponse HandleCollectionsDelete(const HttpRequest& request, sf::Org& org, const std::string& writer_user_id);
  HttpResponse HandleLeadUpsert(const HttpRequest& request, std::string_view external_id_field, sf::Org& org);
  HttpResponse HandleCompositeGraph(const HttpRequest& request, int version, sf::Org& org);
  HttpResponse HandleDescribe(std::string_view sobject) const;   // describe.cpp
  mutable std::mutex describe_mu;
  std::string missing_key_sobject;   // --sf-missing-key-field: describe omits Crmsync_Key__c here

  // Lifecycle controls armed with an upsert count fire here (grants.cpp).
  void AfterUpsert(sf::Org& org);
  // Per-user refresh tokens armed to be revoked at this upsert count (user_grants.cpp).
  void RevokeDueUserGrants(sf::Org& org);
  // Drops every live session of `org` (its next request gets 401).
  void DropSessions(const sf::Org& org);
  std::shared_ptr<sf::Org> OrgOfTenant(const std::string& tenant) const;
  std::atomic<bool> rotate_refresh_tokens{false};
  std::function<void(const std::string&)> foreign_reference_hook;
  std::function<void(const std::string&)> token_issued_hook;
  // Reports each of `ids` that `org` does not hold but another org does
  // (foreign_reference.cpp).
  void NoteForeignReferences(const sf::Org& org, const std::vector<std::string>& ids) const;
  // One kind of stored record (`Org::events`, `Org::absences`) of every
  // org, by tenant and external id (event_upsert.cpp).
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> StoredByKey(
      std::vector<StoredTask> sf::Org::*records) const;

  // The live session's org for the request's bearer token, or nullptr.
  std::shared_ptr<sf::Org> Authenticate(const HttpRequest& request) const;
  // The org a token names, live or not (for the API usage of a 401).
  std::shared_ptr<sf::Org> OrgOfToken(const HttpRequest& request) const;
  sf::TimePoint Now() const { return clock(); }

  const std::string origin;
  const std::chrono::seconds token_ttl;
  const SteadyClock clock;

  mutable std::shared_mutex orgs_mu;
  std::map<std::string, std::shared_ptr<sf::Org>> orgs_by_id;
  std::unordered_map<std::string, std::shared_ptr<sf::Org>> orgs_by_client_id;

  mutable std::shared_mutex sessions_mu;
  std::unordered_map<std::string, sf::Session> sessions;
  std::size_t sessions_prune_at = 1024;

  std::atomic<std::uint64_t> records_created{0};
  std::atomic<std::uint64_t> records_updated{0};
  std::atomic<std::uint64_t> records_failed{0};
  // The 200 answer to a write request, its records counted in the totals above.
  HttpResponse AnswerWrite(std::string body, std::uint64_t created, std::uint64_t updated, std::uint64_t failed) {
    records_created.fetch_add(created);
    records_updated.fetch_add(updated);
    records_failed.fetch_add(failed);
    return sf::JsonResponse(200, std::move(body));
  }
  sf::RequestCounter request_counts;

  // Tests only (test_hooks.hpp): runs after an upsert decided what to create
  // and released the org lock, before it commits. Set before any request.
  std::function<void(const std::string& org_id)> upsert_decided_hook;
  SalesforceSim::RecordFaults record_faults;   // set before serving
};

}  // namespace crmsync::sim

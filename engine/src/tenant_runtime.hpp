// Everything one tenant needs during a run: its clients, its directory of
// users, its CRM match cache, its batcher and its report. Private to the engine.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/engine/batcher.hpp"
#include "crmsync/engine/capture_rules.hpp"
#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/log.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/core/mail_source.hpp"
#include "crmsync/salesforce/client.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"
#include "crmsync/engine/crm_resolver.hpp"
#include "crmsync/engine/lead_creator.hpp"
#include "sealed_token_keeper.hpp"
#include "stored_users.hpp"
#include "user_index.hpp"
#include "user_sessions.hpp"

namespace crmsync::graph {
class GraphMailSource;
}

namespace crmsync::engine {

// Counters touched by parallel nodes; folded into the TenantReport at the end.
struct TenantCounters {
  std::atomic<std::uint64_t> pages{0};
  std::atomic<std::uint64_t> messages_read{0};
  std::array<std::atomic<std::uint64_t>, kSkipReasonCount> skipped{};
  std::atomic<std::uint64_t> streams_failed{0};
};

struct TenantRuntime {
  const TenantConfig* config = nullptr;
  // Per-user access tokens kept between runs (sealed_token_keeper.hpp); the
  // providers of `source` hold it, so it is declared before them. Null when
  // the state has no master key.
  std::unique_ptr<SealedTokenKeeper> token_keeper;
  std::unique_ptr<auth::TokenProvider> mail_tokens;    // the mail system's application token, if it has one
  std::unique_ptr<auth::TokenProvider> salesforce_session;
  std::unique_ptr<MailSource> source;
  // The service-account key sealed in the state by `crmsync connect google`
  // (kNotFound when there is none).
  std::function<Result<std::string>()> load_sealed_google_key;
  // Delegated mail access (mailbox_grants.cpp): each user's own token
  // provider by user id, filled at set-up and read-only during the run; the
  // status a user's grant decided (pending / suspended, reason) by user id.
  std::unordered_map<std::string, std::unique_ptr<auth::TokenProvider>, TransparentStringHash, std::equal_to<>>
      user_mail_tokens;
  std::unordered_map<std::string, std::pair<std::string, std::string>, TransparentStringHash, std::equal_to<>>
      delegated_status;
  // Whose mailbox a user's grant opens (Graph /me, Gmail getProfile of "me"), at set-up.
  std::function<Result<MailUser>(auth::TokenProvider&)> signed_in_user;
  // Lookups and (mass authorization) writes; per_user: the lookup user's session.
  std::unique_ptr<salesforce::SalesforceClient> salesforce;
  std::unique_ptr<UserSessions> user_sessions;         // authorization = "per_user" only
  // How every Salesforce client of this tenant is made: one org, so one
  // adaptive concurrency limit shared by the lookup client and every user's.
  salesforce::SalesforceClientOptions salesforce_options;
  std::unique_ptr<TenantDirectory> directory;
  std::unique_ptr<CaptureRules> rules;      // capture rules compiled for `directory`
  bool ready = false;                       // set-up succeeded; streams may run
  // Percent of the per-mailbox and per-org concurrency limits this run may
  // use: 100, or a backfill's backfill_share_percent (BackfillConcurrency).
  int concurrency_share_percent = 100;

  // Lifecycle (tenant_setup.cpp). Per directory user, index-aligned:
  std::vector<std::string> user_status;     // active | pending | suspended | disabled
  std::vector<std::string> user_reason;
  // What each user's stored record says that the run writes back unchanged
  // (new users: an empty record's); the rest of the record is the run's.
  KeptUserRecords user_records;
  std::vector<std::uint64_t> user_captured; // this run; coordinator only
  // Mail system user id -> index, checked against the directory's ids (or,
  // without a directory, stored_users' ids), which outlive it.
  UserIndex user_index;
  // The users family as the last run left it, for runs without the mail
  // system (ConnectUserSessionsOnly); a scheduled run's set-up never holds it.
  StoredUserList stored_users;
  std::vector<std::uint8_t> user_incomplete;     // a stream failed or was blocked; guarded by lifecycle_mutex
  state::TenantState connection;            // as stored, updated by this run
  std::atomic<bool> suspended{false};       // stop launching streams and writes
  std::mutex lifecycle_mutex;               // guards user_status/user_reason/user_incomplete/connection during the run
  // The user did not read everything this run: no last success is recorded.
  void MarkUserIncomplete(std::size_t user) {
    std::lock_guard lock(lifecycle_mutex);
    user_incomplete[user] = 1;
  }

  TenantCounters counters;
  TenantReport report;                      // owned by the coordinator while the graph runs
  std::mutex errors_mutex;                  // guards report.errors / error_count from other nodes
  Batcher batcher;

  std::unique_ptr<CrmResolver> crm;         // Contact / Lead matches by address
  std::unique_ptr<LeadCreator> leads;       // unknown_person = "create_lead" only

  // Events as they happen (RunOptions::log); nullptr: none.
  Logger* log = nullptr;
  // Logs `message` for this tenant (and `user` / `stream` when known).
  void LogEvent(LogLevel level, std::string_view message, std::string user = {}, std::string stream = {}) const;
  // An error for the report, also logged at warn as it happens.
  void AddError(std::string message, std::string user = {}, std::string stream = {});
};

// Creates the Gmail source of a Google Workspace tenant (google_source.cpp).
Status MakeGoogleSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);

// Creates the EWS source of an Exchange impersonation tenant (exchange_source.cpp).
Status MakeExchangeSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);

// The mail source of the tenant's mail system (tenant_runtime.cpp).
Status MakeMailSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);
std::string TrimSlash(std::string url);

// Connects one tenant (tenant_setup.cpp): its mail system and users, its
// Salesforce session and user mapping, each user's status. A connection that
// is refused (revoked refresh token, mailbox access taken away) suspends the
// tenant or the user with the reason, instead of failing the run; other
// failures leave the runtime !ready with the report saying why.
void SetUpTenant(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                 const state::SecretBox* secrets, const EngineConfig& engine);

// Only the Salesforce session and client of a tenant (crmsync retry
// --quarantined): no mail system, no users. Per-user tenants get
// ConnectUserSessionsOnly instead (no tenant-wide client).
Status ConnectSalesforceOnly(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                             const state::SecretBox* secrets, const EngineConfig& engine);
// authorization = "per_user", without the mail system: every user the state's
// users family knows, with their own sealed grant (tenant.user_sessions,
// indexed by tenant.user_index[mail user id], in tenant.stored_users order),
// all sharing the org's concurrency limit. No grant is tried here.
Status ConnectUserSessionsOnly(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                               const state::SecretBox* secrets, const EngineConfig& engine);
// Called when Salesforce refuses the tenant's grant mid-run (coordinator):
// the tenant stops, its users are suspended with `reason`.
void SuspendTenant(TenantRuntime& tenant, const std::string& reason);
// A stream of user `user` lost mailbox access (any thread).
void SuspendUser(TenantRuntime& tenant, std::size_t user, const std::string& reason);
// Writes the tenant's connection states and user records at the end of a run.
Status SaveTenantLifecycle(TenantRuntime& tenant, state::Store& store);

// A refused grant or revoked access (401/403, invalid_grant), as opposed to
// a transient or per-record failure.
bool IsAccessFailure(const Status& status);
// "invalid_grant: expired access/refresh token" out of the token provider's
// longer message, so every suspended user shows the same short reason.
std::string CrmReason(const Status& status);

}  // namespace crmsync::engine

// Everything one tenant needs during a run: its clients, its directory of
// users, its CRM match cache, its batcher and its report. Private to the engine.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/engine/batcher.hpp"
#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/core/mail_source.hpp"
#include "crmsync/salesforce/client.hpp"
#include "crmsync/state/store.hpp"
#include "crmsync/engine/crm_resolver.hpp"

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
  std::unique_ptr<auth::TokenProvider> mail_tokens;    // the mail system's application token, if it has one
  std::unique_ptr<auth::TokenProvider> salesforce_session;
  std::unique_ptr<MailSource> source;
  std::vector<MailUser> mail_users;                    // index-aligned with directory->users()
  // The service-account key sealed in the state by `crmsync connect google`
  // (kNotFound when there is none).
  std::function<Result<std::string>()> load_sealed_google_key;
  std::unique_ptr<salesforce::SalesforceClient> salesforce;
  std::unique_ptr<TenantDirectory> directory;
  bool ready = false;                       // set-up succeeded; streams may run

  TenantCounters counters;
  TenantReport report;                      // owned by the coordinator while the graph runs
  std::mutex errors_mutex;                  // guards report.errors / error_count from other nodes
  Batcher batcher;

  std::unique_ptr<CrmResolver> crm;         // Contact / Lead matches by address

  void AddError(std::string message);
};

// Creates the Gmail source of a Google Workspace tenant (google_source.cpp).
Status MakeGoogleSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);

// Creates the EWS source of an Exchange impersonation tenant (exchange_source.cpp).
Status MakeExchangeSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);

// Connects one tenant: Microsoft token + users, Salesforce session + users.
// On failure the runtime stays !ready and the report says why.
void SetUpTenant(TenantRuntime& tenant, http::Transport& transport, int request_timeout_seconds,
                 int max_writes_in_flight);

}  // namespace crmsync::engine

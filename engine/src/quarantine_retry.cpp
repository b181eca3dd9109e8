// crmsync retry --quarantined: the quarantined records of each tenant sent
// again through the tenant's Salesforce client (per-user tenants: each
// record through the session of the user who wrote it), results committed
// like a run's acknowledgements (ledger put + quarantine erase in one
// WriteBatch).
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "crmsync/engine/email_message_record.hpp"
#include "crmsync/engine/quarantine.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/task_record.hpp"
#include "crmsync/http/retry.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {
namespace {

constexpr std::size_t kRecordsPerRequest = 200;

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Pending {
  std::string key;
  state::QuarantineEntry entry;
  salesforce::UpsertRecord record;
};

// One request's records; blocks until Salesforce answered.
Result<std::vector<salesforce::UpsertOutcome>> Send(const TenantConfig& config, salesforce::SalesforceClient& client,
                                                    std::vector<salesforce::UpsertRecord> records) {
  std::promise<Result<std::vector<salesforce::UpsertOutcome>>> answered;
  auto future = answered.get_future();
  auto done = [&answered](Result<std::vector<salesforce::UpsertOutcome>> outcome) {
    answered.set_value(std::move(outcome));
  };
  if (config.salesforce.object_model == ObjectModel::kEnhancedEmail) {
    client.UpsertEmailGraphs(kEmailMessageSobject, kKeyField, std::move(records), std::move(done));
  } else {
    client.Upsert(kTaskSobject, kKeyField, std::move(records), std::move(done));
  }
  return future.get();
}

// Why a writer's entries were not sent: an access failure ends that writer's
// entries, a failed commit the whole tenant.
struct Stopped {
  Status status;
  bool commit_failed = false;
  std::size_t not_sent = 0;   // entries left as they were
};

// Sends `pending` through `client` (one session: the tenant's, or one user's),
// committing each request's results. A refused grant (invalid_grant, 401)
// stops before anything of that request is recorded: its entries and the
// later ones stay exactly as they were, counted in `not_sent`; retrying
// them would not change their fate, and attempts count sends.
std::optional<Stopped> SendAll(const TenantConfig& config, salesforce::SalesforceClient& client,
                               std::span<Pending> pending, state::Store& store, QuarantineRetryTenant& out) {
  const char* sobject =
      config.salesforce.object_model == ObjectModel::kEnhancedEmail ? kEmailMessageSobject : kTaskSobject;
  for (std::size_t start = 0; start < pending.size(); start += kRecordsPerRequest) {
    std::span<Pending> chunk = pending.subspan(start, std::min(kRecordsPerRequest, pending.size() - start));
    std::vector<salesforce::UpsertRecord> records;
    for (const Pending& p : chunk) records.push_back(p.record);
    auto outcome = Send(config, client, std::move(records));
    if (!outcome.ok() && IsAccessFailure(outcome.status())) {
      out.not_sent += pending.size() - start;
      return Stopped{outcome.status(), false, pending.size() - start};
    }
    const std::int64_t now = NowUnixMs();
    state::CheckpointBatch batch;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      Pending& p = chunk[i];
      if (outcome.ok() && i < outcome.value().size() && outcome.value()[i].success) {
        const auto& written = outcome.value()[i];
        batch.ledger.emplace_back(config.id, p.key, state::LedgerEntry{written.id, sobject, p.entry.user, now});
        batch.quarantine_erase.emplace_back(config.id, p.key);
        ++out.written;
        continue;
      }
      ++p.entry.attempts;
      p.entry.updated_unix_ms = now;
      if (outcome.ok() && i < outcome.value().size()) {
        p.entry.error_code = outcome.value()[i].error_code;
        p.entry.message = outcome.value()[i].error_message;
      } else if (!outcome.ok()) {
        p.entry.message = "retry failed: " + outcome.status().ToString();
      }
      batch.quarantine.emplace_back(config.id, p.key, p.entry);
      ++out.failed_again;
    }
    if (!outcome.ok()) out.errors.push_back(fmt::format("upsert failed: {}", outcome.status().ToString()));
    Status committed = store.Commit(batch);
    if (!committed.ok()) return Stopped{committed, true, 0};
  }
  return std::nullopt;
}

// authorization = "per_user": each writer's entries through that writer's own
// session. A writer who cannot write (unknown to the state, no grant
// recorded, grant refused) keeps their entries; the others still go out.
// A failed state commit stops the tenant.
void RetryPerUser(TenantRuntime& tenant, std::vector<Pending>& pending, state::Store& store,
                  QuarantineRetryTenant& out) {
  const TenantConfig& config = *tenant.config;
  // Ordered by writer: the report and the requests come in a stable order.
  std::map<std::string, std::vector<Pending>> by_writer;
  for (Pending& p : pending) by_writer[p.entry.user].push_back(std::move(p));
  UserSessions& sessions = *tenant.user_sessions;
  for (auto& [writer, entries] : by_writer) {
    const auto index = tenant.user_index.Find(writer);
    if (!index) {
      out.not_sent += entries.size();
      out.errors.push_back(fmt::format("user {}: {} records not sent, kept in the quarantine: the user is not in the "
                                       "state's users (a run must have seen them first)",
                                       writer.empty() ? "(none recorded)" : writer, entries.size()));
      continue;
    }
    const std::string& address = tenant.stored_users[*index].second.primary;
    if (!sessions.HasToken(*index)) {
      out.not_sent += entries.size();
      out.errors.push_back(fmt::format("user {}: {} records not sent, kept in the quarantine: {}", address,
                                       entries.size(), NoSalesforceAuthorizationReason(config.id, address)));
      continue;
    }
    auto stopped = SendAll(config, sessions.Client(*index), entries, store, out);
    if (!stopped) continue;
    if (stopped->commit_failed) {
      out.errors.push_back(fmt::format("state commit failed: {}", stopped->status.ToString()));
      return;
    }
    out.errors.push_back(fmt::format("user {}: {} records not sent, kept in the quarantine: Salesforce refused the "
                                     "user's authorization: {} (reconnect: crmsync connect salesforce --tenant {} "
                                     "--user {} --refresh)",
                                     address, stopped->not_sent, CrmReason(stopped->status), config.id, address));
  }
}

void RetryTenant(const TenantConfig& config, const RunOptions& options, http::Transport& transport,
                 state::Store& store, const EngineConfig& engine, QuarantineRetryTenant& out) {
  auto listed = store.ListQuarantine(config.id);
  if (!listed.ok()) {
    out.errors.push_back(fmt::format("cannot read the quarantine: {}", listed.status().ToString()));
    return;
  }
  out.quarantined = listed.value().size();
  std::vector<Pending> pending;
  for (auto& [key, entry] : listed.value()) {
    if (entry.record.empty()) {
      ++out.not_resendable;
      continue;
    }
    auto record = DecodeQuarantinedRecord(entry.record);
    if (!record.ok()) {
      ++out.not_resendable;
      out.errors.push_back(fmt::format("key {}: {}", key, record.status().ToString()));
      continue;
    }
    pending.push_back(Pending{key, std::move(entry), std::move(record.value())});
  }
  if (pending.empty()) return;

  TenantRuntime tenant;
  tenant.config = &config;
  Status connected = ConnectSalesforceOnly(tenant, transport, store, options.secrets, engine);
  if (!connected.ok()) {
    out.errors.push_back(fmt::format("cannot connect Salesforce: {}", connected.ToString()));
    return;
  }
  if (tenant.user_sessions) {
    RetryPerUser(tenant, pending, store, out);
    return;
  }
  auto stopped = SendAll(config, *tenant.salesforce, pending, store, out);
  if (!stopped) return;
  out.errors.push_back(stopped->commit_failed
                           ? fmt::format("state commit failed: {}", stopped->status.ToString())
                           : fmt::format("{} records not sent, kept in the quarantine: Salesforce refused the "
                                         "tenant's authorization: {}", stopped->not_sent, CrmReason(stopped->status)));
}

}  // namespace

QuarantineRetryReport RetryQuarantined(const Config& config, const RunOptions& options, http::Transport& transport,
                                       state::Store& store, const std::string& only_tenant) {
  http::SetBackoffPolicy(std::chrono::milliseconds(config.engine.retry_base_ms),
                         std::chrono::milliseconds(config.engine.retry_cap_ms));
  QuarantineRetryReport report;
  bool found = only_tenant.empty();
  for (const TenantConfig& tenant : config.tenants) {
    if (!only_tenant.empty() && tenant.id != only_tenant) continue;
    found = true;
    QuarantineRetryTenant out;
    out.id = tenant.id;
    RetryTenant(tenant, options, transport, store, config.engine, out);
    if (!out.errors.empty() || out.failed_again > 0 || out.not_resendable > 0 || out.not_sent > 0) {
      report.exit_code = kExitPartial;
    }
    report.tenants.push_back(std::move(out));
  }
  if (!found) {
    QuarantineRetryTenant out;
    out.id = only_tenant;
    out.errors.push_back("no such tenant in the configuration");
    report.tenants.push_back(std::move(out));
    report.exit_code = kExitUsage;
  }
  return report;
}

std::string QuarantineRetryReport::ToText() const {
  std::string text;
  std::uint64_t total = 0, written = 0, failed = 0, not_sent = 0;
  for (const auto& t : tenants) {
    fmt::format_to(std::back_inserter(text), "tenant {}: {} quarantined, {} written, {} failed again", t.id,
                   t.quarantined, t.written, t.failed_again);
    if (t.not_sent > 0) {
      fmt::format_to(std::back_inserter(text), ", {} not sent (no working Salesforce authorization)", t.not_sent);
    }
    if (t.not_resendable > 0) {
      fmt::format_to(std::back_inserter(text), ", {} kept by an older version without the record (not resent)",
                     t.not_resendable);
    }
    text += "\n";
    for (const auto& e : t.errors) fmt::format_to(std::back_inserter(text), "  error: {}\n", e);
    total += t.quarantined;
    written += t.written;
    failed += t.failed_again;
    not_sent += t.not_sent;
  }
  fmt::format_to(std::back_inserter(text), "total: {} quarantined, {} written, {} failed again", total, written,
                 failed);
  if (not_sent > 0) fmt::format_to(std::back_inserter(text), ", {} not sent", not_sent);
  text += "\n";
  return text;
}

}  // namespace crmsync::engine

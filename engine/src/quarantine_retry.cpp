// crmsync retry --quarantined: the quarantined records of each tenant sent
// again through the tenant's Salesforce client, results committed like a
// run's acknowledgements (ledger put + quarantine erase in one WriteBatch).
#include <chrono>
#include <ctime>
#include <future>
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
Result<std::vector<salesforce::UpsertOutcome>> Send(TenantRuntime& tenant, std::vector<salesforce::UpsertRecord> records) {
  std::promise<Result<std::vector<salesforce::UpsertOutcome>>> answered;
  auto future = answered.get_future();
  auto done = [&answered](Result<std::vector<salesforce::UpsertOutcome>> outcome) {
    answered.set_value(std::move(outcome));
  };
  if (tenant.config->salesforce.object_model == ObjectModel::kEnhancedEmail) {
    tenant.salesforce->UpsertEmailGraphs(kEmailMessageSobject, kKeyField, std::move(records), std::move(done));
  } else {
    tenant.salesforce->Upsert(kTaskSobject, kKeyField, std::move(records), std::move(done));
  }
  return future.get();
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
  const char* sobject =
      config.salesforce.object_model == ObjectModel::kEnhancedEmail ? kEmailMessageSobject : kTaskSobject;
  for (std::size_t start = 0; start < pending.size(); start += kRecordsPerRequest) {
    std::span<Pending> chunk(pending.data() + start, std::min(kRecordsPerRequest, pending.size() - start));
    std::vector<salesforce::UpsertRecord> records;
    for (const Pending& p : chunk) records.push_back(p.record);
    auto outcome = Send(tenant, std::move(records));
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
    if (!committed.ok()) {
      out.errors.push_back(fmt::format("state commit failed: {}", committed.ToString()));
      return;
    }
  }
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
    if (!out.errors.empty() || out.failed_again > 0 || out.not_resendable > 0) report.exit_code = kExitPartial;
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
  std::uint64_t total = 0, written = 0, failed = 0;
  for (const auto& t : tenants) {
    fmt::format_to(std::back_inserter(text), "tenant {}: {} quarantined, {} written, {} failed again", t.id,
                   t.quarantined, t.written, t.failed_again);
    if (t.not_resendable > 0) {
      fmt::format_to(std::back_inserter(text), ", {} kept by an older version without the record (not resent)",
                     t.not_resendable);
    }
    text += "\n";
    for (const auto& e : t.errors) fmt::format_to(std::back_inserter(text), "  error: {}\n", e);
    total += t.quarantined;
    written += t.written;
    failed += t.failed_again;
  }
  fmt::format_to(std::back_inserter(text), "total: {} quarantined, {} written, {} failed again\n", total, written,
                 failed);
  return text;
}

}  // namespace crmsync::engine

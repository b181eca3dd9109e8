// The quarantine (DESIGN.md, "Exactly once" 3): records Salesforce refused
// permanently wait in the state with their error, attempts and the record
// itself, until `crmsync retry --quarantined` sends them again. Keeping the
// record (rather than re-reading the mail) lets a retry work when the mail
// was since moved or deleted, and needs no mailbox access at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run.hpp"
#include "crmsync/http/transport.hpp"
#include "crmsync/salesforce/salesforce.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// JSON of the record as sent ({"external_id","fields":[...],"children":[...]}).
std::string EncodeQuarantinedRecord(const salesforce::UpsertRecord& record);
// Its inverse; malformed or truncated input is a kCorruption naming the fault.
Result<salesforce::UpsertRecord> DecodeQuarantinedRecord(std::string_view json);

struct QuarantineRetryTenant {
  std::string id;
  std::uint64_t quarantined = 0;      // entries before the retry
  std::uint64_t written = 0;          // now in Salesforce and the ledger
  std::uint64_t failed_again = 0;     // still quarantined, attempts + 1
  std::uint64_t not_resendable = 0;   // entries from before records were kept
  // Not sent, kept as they were (attempts unchanged): their writer has no
  // working Salesforce authorization (per-user tenants: none recorded, the
  // grant refused, or the user unknown to the state; else the tenant's grant
  // refused). `errors` names each such user and why.
  std::uint64_t not_sent = 0;
  std::vector<std::string> errors;    // the tenant could not be retried
};

struct QuarantineRetryReport {
  std::vector<QuarantineRetryTenant> tenants;
  int exit_code = 0;   // 0: nothing failed; 3 (partial): some records failed again or were not sent, or a tenant failed
  std::string ToText() const;
};

// Sends every quarantined record of the configured tenants (only
// `only_tenant` when not empty) again, 200 per request. A success moves the
// key to the ledger and out of the quarantine, in one commit; a failure
// stays with attempts + 1 and the new error. Per-user tenants
// (authorization = "per_user") send each entry with the session of the user
// who wrote it (QuarantineEntry::user), never another's. Blocks; not for a
// transport completion thread.
QuarantineRetryReport RetryQuarantined(const Config& config, const RunOptions& options, http::Transport& transport,
                                       state::Store& store, const std::string& only_tenant);

}  // namespace crmsync::engine

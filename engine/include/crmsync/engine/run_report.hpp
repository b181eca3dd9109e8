// The run report: per tenant counts of users, pages, messages read,
// captured, skipped by reason, quarantined, API calls by kind, and errors.
// Written as JSON (--report FILE, and the "runs" column family) and printed
// as a short human summary.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crmsync/engine/classify.hpp"

namespace crmsync::engine {

struct ApiCalls {
  std::uint64_t mail_token_grants = 0;   // Microsoft application token, or Google per-user tokens
  std::uint64_t salesforce_token_grants = 0;
  std::uint64_t mailbox_pages = 0;       // directory pages and mailbox pages
  std::uint64_t soql_queries = 0;        // query and queryMore requests (priming pages included)
  std::uint64_t distinct_addresses = 0;  // external addresses resolved this run, each counted once
  std::uint64_t salesforce_upserts = 0;  // sObject Collections requests
};

// Calendars (capture.calendar; calendar_run.hpp). Every meeting copy read is
// counted once: events_written (its record was upserted, alone or folded
// with other copies of the same iCalUID), or skipped[reason], or failed.
struct CalendarReport {
  std::string mode = "off";              // off | meetings | free_busy
  std::uint64_t calendars = 0;           // user calendars read (meetings) or asked (free/busy)
  std::uint64_t pages = 0;
  std::uint64_t meetings_read = 0;       // copies, tombstones excluded
  std::uint64_t cancelled = 0;           // cancelled copies read (their Event is marked, not deleted)
  std::uint64_t tombstones = 0;          // @removed / deletions without iCalUID
  std::uint64_t tombstones_unknown = 0;  // of which no earlier run wrote the source id
  std::uint64_t events_written = 0;      // distinct Event records upserted successfully
  std::uint64_t created = 0, updated = 0;
  std::uint64_t failed = 0;              // records Salesforce refused (named in errors)
  std::uint64_t busy_slots = 0;          // free/busy mode: slots read
  std::uint64_t busy_released = 0;       // free/busy mode: slots of the last run gone since, written Free
  std::uint64_t leads_created = 0;       // unknown_person = create_lead
  std::map<std::string, std::uint64_t> skipped;   // reason -> meeting copies
};

struct TenantReport {
  std::string id;
  std::string status = "ok";             // ok | partial | suspended | failed
  std::string mailbox = "connected";     // the mail system connection: connected | disconnected
  std::string crm = "connected";         // the Salesforce connection: connected | disconnected
  std::string reason;                    // why the tenant is suspended ("" otherwise)
  // Users by status after this run: active, pending, suspended, disabled.
  std::uint64_t users_active = 0, users_pending = 0, users_suspended = 0, users_disabled = 0;
  std::uint64_t users = 0;
  std::uint64_t streams = 0;
  std::uint64_t streams_failed = 0;
  std::uint64_t pages = 0;
  std::uint64_t messages_read = 0;
  std::uint64_t captured = 0;            // distinct records written in this run
  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::uint64_t deduplicated = 0;        // copies folded into a record of this run
  std::uint64_t quarantined = 0;
  std::uint64_t not_terminal = 0;        // messages left for the next run (transient failures)
  std::uint64_t streams_not_finished = 0;   // not read to the end because the run was stopped (drain)
  std::uint64_t leads_created = 0;       // mail: unknown_person = "create_lead" (Leads Salesforce created)
  std::array<std::uint64_t, kSkipReasonCount> skipped{};
  ApiCalls api;
  CalendarReport calendar;
  std::uint64_t error_count = 0;
  std::vector<std::string> errors;       // the first kMaxErrorsKept, each naming its user/stream
};

inline constexpr std::size_t kMaxErrorsKept = 20;

struct RunTotals {
  std::uint64_t messages_read = 0, captured = 0, quarantined = 0, skipped = 0, errors = 0;
  std::uint64_t streams_not_finished = 0;
};

struct RunReport {
  std::string run_id;
  std::string started_at;                // ISO-8601 UTC
  std::string finished_at;
  double duration_seconds = 0;
  std::string status;                    // complete | partial | failed
  int exit_code = 0;
  std::vector<TenantReport> tenants;
  // "" when the run read everything it could; "max-duration" or "signal"
  // when it was stopped early and drained (see streams_not_finished).
  std::string stopped;
  std::map<std::string, std::uint64_t> transport;   // requests, connections_opened, ...
  // Most mailbox streams read at once (the window grows while the workers
  // wait on the network, up to [engine] max_streams_in_flight).
  std::uint64_t streams_in_flight_peak = 0;

  RunTotals Totals() const;
  std::string ToJson() const;
  std::string ToText() const;
};

// Exit codes (README, "Exit codes").
inline constexpr int kExitComplete = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPartial = 3;

// Sets each tenant's status, the run's status and exit code from the counts.
void Finalize(RunReport& report);

}  // namespace crmsync::engine

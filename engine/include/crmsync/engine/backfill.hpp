// A backfill job: the mail of a window of time for a selection of users,
// read through streams of its own ("backfill/<job id>/<kind>") so that the
// cursors of scheduled runs never move. The ledger is shared with scheduled
// runs: a message captured by both is written once. A window stream whose
// last page was committed keeps an empty cursor: done, skipped by a rerun.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crmsync/core/mail_source.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::engine {

struct BackfillWindow {
  std::int64_t since_unix = 0;        // inclusive
  std::int64_t until_unix = 0;        // exclusive
  std::string tenant;                 // "" = every tenant
  std::vector<std::string> users;     // addresses (any alias), lower-case; empty = every user
  std::string job_id;                 // BackfillJobId() of the above
};

// Stable id of a window and selection (hex, 16 characters): a rerun with the
// same arguments resumes the same job.
std::string BackfillJobId(const BackfillWindow& window);
// The stream id of `kind` in job `job_id`: "backfill/<job id>/<kind>".
std::string BackfillStreamKind(const std::string& job_id, const std::string& kind);
// Whether the window selects `user` (by any of its addresses).
bool BackfillSelects(const BackfillWindow& window, const MailUserView& user);

// A backfill's share of a concurrency limit (requests in flight per mailbox,
// upserts in flight per Salesforce org): `limit` × `share_percent` / 100,
// rounded down but at least 1, so that scheduled runs on the same mailboxes
// and org keep the rest. `share_percent` is [tenants.budget]
// backfill_share_percent; 100 for scheduled runs (the whole limit).
int BackfillConcurrency(int limit, int share_percent);

// "2026-10-01" (00:00 UTC) or "2026-10-01T12:30:00Z" to epoch seconds;
// kInvalidArgument naming `what` and the text otherwise.
Result<std::int64_t> ParseUtcDate(const std::string& text, const std::string& what);

}  // namespace crmsync::engine

// One scheduled batch run: the oneTBB flow graph of DESIGN.md
//   streams -> fetch -> parse -> classify -> resolve -> batch -> write -> acknowledge
// over every configured tenant. Safe to kill at any moment and run again.
#pragma once

#include <atomic>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/backfill.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run_progress.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/http/transport.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

class Logger;

struct RunOptions {
  std::string run_id;                       // empty: derived from the start time and pid
  const state::SecretBox* secrets = nullptr;   // opens sealed keys; none: only key files
  std::string state_dir;                    // where provisioning requests wait (inbox/); "" = none
  // Set (to a StopReason) by another thread to drain: no new stream or page
  // starts, pages in flight are finished, written and committed, and the
  // report counts the streams not finished. nullptr: never stops early.
  const std::atomic<int>* stop = nullptr;
  RunProgress* progress = nullptr;          // live counters for a reporter; nullptr: none
  // A backfill job instead of the scheduled streams (backfill.hpp); nullptr: a scheduled run.
  const BackfillWindow* backfill = nullptr;
  // Log events as they happen (log.hpp), each with its tenant / user /
  // stream: errors (a stream failed, a malformed page, a budget stop) and
  // suspensions at warn, quarantined records (key and error code, never the
  // payload) at info, streams started and ended (with their counts) at
  // debug. nullptr: none.
  Logger* log = nullptr;
};

// Runs every tenant to the end of its current mail. Tenant and stream
// failures are reported in the returned report (status partial/failed);
// only a local state failure ends the run early.
RunReport RunOnce(const Config& config, const RunOptions& options, http::Transport& transport,
                  state::Store& store);

}  // namespace crmsync::engine

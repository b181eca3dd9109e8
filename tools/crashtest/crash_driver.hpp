// The crash test: a generated corpus synced by `crmsync run` processes that are
// SIGKILLed again and again (at random moments and at each named crash point
// in turn), with the cursor invariant checked after every kill and the
// simulator's verdict at the end. Used by the crmsync-crashtest command and,
// in a short version, by tests/integration/crash_test.cpp.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"

namespace crmsync::crashtest {

// The engine's named crash points (CRMSYNC_CRASH_POINT), in the order the
// driver first visits them: the write point first, while there is still
// something to write.
inline const std::vector<std::string>& CrashPointNames() {
  static const std::vector<std::string> names = {
      "write_answered_before_commit", "checkpoint_before_write", "checkpoint_after_write", "page_fetched",
      "token_granted_before_refresh_stored"};
  return names;
}

struct CrashTestOptions {
  int kills = 6;
  int messages = 30;            // origin messages per mailbox
  int tenants = 2;
  int users = 20;               // per tenant
  std::string providers = "graph";   // crmsync-sim --providers: graph, gmail, or a mix "graph,gmail"
  double fault_rate = 0;        // passed to crmsync-sim --fault-rate when it has one
  std::uint64_t seed = 1;
  int page_size = 7;            // small pages: many checkpoints to land between
  int min_delay_ms = 50;        // random kills: delay after start
  int max_delay_ms = 1500;
  int max_nth = 4;              // crash points: kill at a hit drawn from 1..max_nth
  int advance_messages = 2;     // new mail per mailbox (POST /_sim/advance) whenever a run finishes
                                // before all kills are done, so later kills still land on writes
  bool rotate_refresh_tokens = true;   // Salesforce rotates on every grant (reaches the token crash point)
  std::string work_dir;         // simulator files and the state; a temporary directory when empty
};

struct CrashTestResult {
  int runs = 0;                 // crmsync processes started, the final ones included
  int kills = 0;                // of them, ended by SIGKILL
  int random_kills = 0;
  int restarts = 0;             // runs started on a state left by a killed run
  std::map<std::string, int> point_kills;   // crash point -> kills there
  int advances = 0;             // times new mail arrived (/_sim/advance)
  int reconnects = 0;            // Salesforce connections the administrator had to restore (token crash point)
  std::int64_t invariant_checks = 0;
  std::int64_t keys_checked = 0;
  std::int64_t wire_duplicate_upserts = -1; // upserts of keys Salesforce already held (harmless)
  harness::Verify verify;
  bool faults_injected = false;
  std::string notes;            // e.g. why faults were left out
  std::vector<std::string> violations;   // anything that must fail the test
  bool ok() const { return violations.empty(); }
};

// Never throws; a failure to start or talk to a process is a violation.
CrashTestResult RunCrashTest(const CrashTestOptions& options, std::FILE* progress);

// True when `sim_help` (crmsync-sim --help output) lists --fault-rate.
bool SimulatorHasFaultRate(const std::string& sim_help);

}  // namespace crmsync::crashtest

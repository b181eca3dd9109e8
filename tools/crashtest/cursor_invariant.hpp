// The crash-safety invariant, checked on a stopped engine's state directory:
// no stored cursor is ahead of a message missing from the ledger.
//
// For every cursor in the state, the simulator (POST /_sim/cursor_keys) names
// the messages before that position that this mailbox folder must capture;
// each must be in the ledger or in the quarantine. A cursor committed before
// the ledger entries of its page would leave such a message out for good.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/state/store.hpp"
#include "harness.hpp"

namespace crmsync::crashtest {

struct InvariantReport {
  std::int64_t cursors = 0;      // cursors read from the state
  std::int64_t checked = 0;      // of them, Graph cursors the simulator could place
  std::int64_t keys_checked = 0; // messages before those cursors that must be in the ledger
  std::vector<std::string> violations;   // "tenant-1 user 3 inbox: key <k> passed but not in the ledger"
  std::string unplaced_example;          // a cursor the simulator could not place, and why
  bool ok() const { return violations.empty() && checked == cursors; }
};

// The body of POST /_sim/cursor_keys for one stored cursor: a Graph link as
// it is; any other cursor (Gmail's) as JSON with its tenant and its mailbox
// (the primary address from `primary_of`, user id -> address, else the
// stream's user id).
std::string CursorKeysRequest(const state::StreamId& id, const state::Cursor& cursor,
                              const std::map<std::string, std::string>& primary_of);

// Tenant ids of a crmsync configuration file ([[tenants]] id = "...").
Result<std::vector<std::string>> TenantIds(const std::string& config_path);

// Opens the state in `state_dir` (the engine must not be running) and checks
// every cursor of `tenants` against the simulator. Errors: the state cannot
// be opened or read, the simulator does not answer.
Result<InvariantReport> CheckCursorInvariant(const harness::SimProcess& sim, const std::string& state_dir,
                                             const std::vector<std::string>& tenants);

}  // namespace crmsync::crashtest

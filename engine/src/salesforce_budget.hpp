// The daily Salesforce call budget of a tenant ([tenants.budget]): the calls
// of every run and backfill of one UTC day, counted in the state so that a
// backfill leaves room for the scheduled runs of the same day. Private to
// the engine; the counter rides in the cursor family (one row per tenant and
// day) so it lands in the same atomic checkpoints as the work it paid for.
#pragma once

#include <cstdint>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// The budget's day, YYYY-MM-DD in UTC; CRMSYNC_TODAY=YYYY-MM-DD overrides it
// (tests, and replaying a day). A malformed override is kInvalidArgument.
Result<std::string> BudgetDay();

// Where the count of `tenant`'s calls on `day` is kept.
state::StreamId BudgetCounterId(const std::string& tenant, const std::string& day);

// Calls already made on `day` (0 when none were counted).
Result<std::uint64_t> LoadBudgetCalls(state::Store& store, const std::string& tenant, const std::string& day);

// The calls a backfill may bring the day's count up to; 0 when the tenant has no budget.
std::uint64_t BackfillAllowance(const BudgetConfig& budget);

}  // namespace crmsync::engine

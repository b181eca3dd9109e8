// What a run learned of its Salesforce org's concurrency (the adaptive limit
// it ended with) is where the next run starts, for a day: an org that allows
// fewer requests at once than the default (another integration uses the
// rest) is then not probed with a burst of throttled requests at every run.
// Private to the engine; the value rides in the cursor family.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// How long a learned limit is trusted: the org's other load changes over a day.
inline constexpr std::chrono::hours kLearnedOrgLimitTtl{24};

state::StreamId LearnedOrgLimitId(const std::string& tenant);

// The limit stored for `tenant` less than kLearnedOrgLimitTtl before `now_unix_ms`;
// nothing when none is stored, it is older, or it is not a positive number.
Result<std::optional<double>> LoadLearnedOrgLimit(state::Store& store, const std::string& tenant,
                                                  std::int64_t now_unix_ms);

// Stores the limit `tenant`'s org ended this run with.
Status SaveLearnedOrgLimit(state::Store& store, const std::string& tenant, double limit, std::int64_t now_unix_ms);

}  // namespace crmsync::engine

// The calendar passes write outside the flow graph: one upsert request at a
// time (at most kRecordsPerUpsert records), waited for and counted in the
// tenant's report.
#pragma once

#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/salesforce/client.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {

Result<std::vector<salesforce::UpsertOutcome>> UpsertAndWait(TenantRuntime& tenant, const char* sobject,
                                                             std::vector<salesforce::UpsertRecord> records);

}  // namespace crmsync::engine

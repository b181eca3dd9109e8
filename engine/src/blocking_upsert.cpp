#include "blocking_upsert.hpp"

#include <future>

#include "crmsync/engine/task_record.hpp"

namespace crmsync::engine {

Result<std::vector<salesforce::UpsertOutcome>> UpsertAndWait(TenantRuntime& tenant, const char* sobject,
                                                             std::vector<salesforce::UpsertRecord> records) {
  std::promise<Result<std::vector<salesforce::UpsertOutcome>>> promise;
  auto future = promise.get_future();
  ++tenant.report.api.salesforce_upserts;
  tenant.salesforce->Upsert(sobject, kKeyField, std::move(records),
                            [&promise](Result<std::vector<salesforce::UpsertOutcome>> outcome) {
                              promise.set_value(std::move(outcome));
                            });
  return future.get();
}

}  // namespace crmsync::engine

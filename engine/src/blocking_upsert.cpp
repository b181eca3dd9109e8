#include "blocking_upsert.hpp"

#include <future>
#include <map>

#include "crmsync/engine/task_record.hpp"

namespace crmsync::engine {
namespace {

salesforce::SalesforceClient& WriterClient(TenantRuntime& tenant, std::size_t writer) {
  if (writer == kServiceAccountWriter || !tenant.user_sessions) return *tenant.salesforce;
  return tenant.user_sessions->Client(writer);
}

// Salesforce refused a per-user writer's grant: only that user stops.
void NoteRefusal(TenantRuntime& tenant, std::size_t writer,
                 const Result<std::vector<salesforce::UpsertOutcome>>& outcome) {
  if (outcome.ok() || writer == kServiceAccountWriter || !tenant.user_sessions ||
      !IsAccessFailure(outcome.status())) {
    return;
  }
  tenant.user_sessions->Refuse(writer);
  SuspendUser(tenant, writer, CrmReason(outcome.status()));
}

template <class Send>
Result<std::vector<salesforce::UpsertOutcome>> SendAndWait(TenantRuntime& tenant, std::size_t writer, Send send) {
  if (!CanWrite(tenant, writer)) {
    return Status::Unauthorized("the writing user's Salesforce authorization was refused earlier in this run");
  }
  std::promise<Result<std::vector<salesforce::UpsertOutcome>>> promise;
  auto future = promise.get_future();
  send(WriterClient(tenant, writer), [&promise](Result<std::vector<salesforce::UpsertOutcome>> outcome) {
    promise.set_value(std::move(outcome));
  });
  auto outcome = future.get();
  NoteRefusal(tenant, writer, outcome);
  return outcome;
}

}  // namespace

bool CanWrite(const TenantRuntime& tenant, std::size_t user) {
  if (!tenant.user_sessions || user == kServiceAccountWriter) return true;
  return tenant.user_sessions->HasToken(user) && !tenant.user_sessions->Refused(user);
}

Result<std::vector<salesforce::UpsertOutcome>> UpsertAndWait(TenantRuntime& tenant, const char* sobject,
                                                             std::vector<salesforce::UpsertRecord> records,
                                                             std::size_t writer) {
  ++tenant.report.api.salesforce_upserts;
  return SendAndWait(tenant, writer, [&](salesforce::SalesforceClient& client, salesforce::UpsertCallback done) {
    client.Upsert(sobject, kKeyField, std::move(records), std::move(done));
  });
}

Result<std::vector<salesforce::UpsertOutcome>> DeleteAndWait(TenantRuntime& tenant, std::vector<std::string> ids,
                                                             std::size_t writer) {
  return SendAndWait(tenant, writer, [&](salesforce::SalesforceClient& client, salesforce::UpsertCallback done) {
    client.Delete(std::move(ids), std::move(done));
  });
}

std::vector<std::vector<std::size_t>> RequestsByWriter(const std::vector<std::size_t>& writers,
                                                       std::size_t max_records) {
  std::map<std::size_t, std::vector<std::size_t>> by_writer;   // ordered: deterministic requests
  for (std::size_t i = 0; i < writers.size(); ++i) by_writer[writers[i]].push_back(i);
  std::vector<std::vector<std::size_t>> requests;
  for (auto& [writer, records] : by_writer) {
    for (std::size_t from = 0; from < records.size(); from += max_records) {
      const std::size_t to = std::min(records.size(), from + max_records);
      requests.emplace_back(records.begin() + static_cast<std::ptrdiff_t>(from),
                            records.begin() + static_cast<std::ptrdiff_t>(to));
    }
  }
  return requests;
}

}  // namespace crmsync::engine

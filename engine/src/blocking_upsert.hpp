// The calendar passes write outside the flow graph: one upsert request at a
// time (at most kRecordsPerUpsert records), waited for and counted in the
// tenant's report. With authorization = "per_user" every record is written
// by the session of the user who owns it (its writer), so a Salesforce
// Event or ResourceAbsence is never written with another user's token.
#pragma once

#include <cstddef>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/salesforce/client.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {

// Salesforce's sObject Collections limit per request.
inline constexpr std::size_t kRecordsPerUpsert = 200;

// The writer of a record in a tenant with mass authorization: the service account.
inline constexpr std::size_t kServiceAccountWriter = static_cast<std::size_t>(-1);

// Whether directory user `user` can write to Salesforce now: always with
// mass authorization; per_user: their authorization is recorded and was not
// refused.
bool CanWrite(const TenantRuntime& tenant, std::size_t user);

// Upserts `records` as `writer` (a directory user index, or
// kServiceAccountWriter in mass-authorization tenants). A refused grant of a
// per-user writer stops that user's writes and suspends them.
Result<std::vector<salesforce::UpsertOutcome>> UpsertAndWait(TenantRuntime& tenant, const char* sobject,
                                                             std::vector<salesforce::UpsertRecord> records,
                                                             std::size_t writer = kServiceAccountWriter);
// Deletes `ids` as `writer`, like UpsertAndWait.
Result<std::vector<salesforce::UpsertOutcome>> DeleteAndWait(TenantRuntime& tenant, std::vector<std::string> ids,
                                                             std::size_t writer = kServiceAccountWriter);

// Splits `writers` (a writer per record, in record order) into requests of
// at most `max_records` records that each have one writer; each request is
// the indices of its records. With mass authorization every writer is the
// service account and requests are plain consecutive chunks.
std::vector<std::vector<std::size_t>> RequestsByWriter(const std::vector<std::size_t>& writers,
                                                       std::size_t max_records);

}  // namespace crmsync::engine

#include "crmsync/engine/batcher.hpp"

namespace crmsync::engine {
namespace {

std::size_t ApproximateBytes(const salesforce::UpsertRecord& record) {
  std::size_t bytes = record.external_id.size() + 64;
  for (const auto& field : record.fields) bytes += field.name.size() + field.value.size() + 8;
  return bytes;
}

}  // namespace

bool IsTransientRecordError(const std::string& error_code) {
  return error_code == "UNABLE_TO_LOCK_ROW" || error_code == "REQUEST_LIMIT_EXCEEDED" ||
         error_code == "SERVER_UNAVAILABLE" || error_code == "TXN_SECURITY_METERING_ERROR" ||
         // A Composite Graph node rolled back because another node of its graph failed.
         error_code == "PROCESSING_HALTED";
}

Batcher::Batcher(BatcherLimits limits) : limits_(limits) {}

Batcher::Added Batcher::Add(salesforce::UpsertRecord record, const std::string& user,
                            PageRef waiter) {
  const std::string& key = record.external_id;
  if (done_.count(key) > 0) return Added::kDoneThisRun;
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second.waiters.push_back(waiter);
    return Added::kAttached;
  }
  Entry entry;
  entry.bytes = ApproximateBytes(record);
  entry.first_user = user;
  entry.waiters.push_back(waiter);
  std::string owned_key = key;
  entry.record = std::move(record);
  queued_bytes_ += entry.bytes;
  queue_.push_back(owned_key);
  entries_.emplace(std::move(owned_key), std::move(entry));
  return Added::kQueued;
}

std::vector<OutgoingBatch> Batcher::TakeReady(bool drain) {
  std::vector<OutgoingBatch> ready;
  while (!queue_.empty() && inflight_.size() < limits_.max_inflight_requests) {
    const bool full = queue_.size() >= limits_.max_records || queued_bytes_ >= limits_.max_bytes;
    if (!full && !drain) break;
    OutgoingBatch batch;
    batch.id = next_id_++;
    std::vector<std::string> keys;
    std::size_t bytes = 0;
    while (!queue_.empty() && batch.records.size() < limits_.max_records) {
      Entry& entry = entries_.at(queue_.front());
      // Always take at least one record, however large, so nothing starves.
      if (!batch.records.empty() && bytes + entry.bytes > limits_.max_bytes) break;
      bytes += entry.bytes;
      queued_bytes_ -= entry.bytes;
      batch.records.push_back(entry.record);
      keys.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    inflight_.emplace(batch.id, std::move(keys));
    ready.push_back(std::move(batch));
  }
  return ready;
}

std::vector<RecordResult> Batcher::Complete(
    std::uint64_t id, const Result<std::vector<salesforce::UpsertOutcome>>& outcome) {
  std::vector<RecordResult> results;
  auto it = inflight_.find(id);
  if (it == inflight_.end()) return results;
  std::vector<std::string> keys = std::move(it->second);
  inflight_.erase(it);
  results.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto entry_it = entries_.find(keys[i]);
    RecordResult result;
    result.key = keys[i];
    result.first_user = std::move(entry_it->second.first_user);
    result.waiters = std::move(entry_it->second.waiters);
    if (outcome.ok() && i < outcome.value().size()) {
      result.outcome = outcome.value()[i];
      // Kept for the quarantine, which re-sends it on `crmsync retry`.
      if (!result.outcome->success) result.record = std::move(entry_it->second.record);
      if (result.outcome->success || !IsTransientRecordError(result.outcome->error_code)) {
        done_.insert(keys[i]);
      }
    }
    entries_.erase(entry_it);
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace crmsync::engine

#include "crmsync/engine/batcher.hpp"

namespace crmsync::engine {
namespace {

std::size_t ApproximateBytes(const salesforce::UpsertRecord& record) {
  std::size_t bytes = record.external_id.size() + record.rendered_fields.size() + 64;
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
                            PageRef waiter, const std::string& writer) {
  const std::string& key = record.external_id;
  if (done_.Contains(key)) return Added::kDoneThisRun;
  // One hash for both the lookup and the insertion; the key is copied only when new.
  auto [inserted, added] = entries_.try_emplace(key);
  Entry& entry = inserted->second;
  if (!added) {
    entry.waiters.push_back(waiter);
    return Added::kAttached;
  }
  entry.bytes = ApproximateBytes(record);
  entry.first_user = user;
  entry.waiters.push_back(waiter);
  entry.record = std::move(record);
  Lane& lane = lanes_[writer];
  lane.bytes += entry.bytes;
  lane.queue.push_back(&*inserted);
  return Added::kQueued;
}

std::size_t Batcher::queued() const {
  std::size_t n = 0;
  for (const auto& [writer, lane] : lanes_) n += lane.queue.size();
  return n;
}

std::vector<OutgoingBatch> Batcher::TakeReady(bool drain, const std::function<bool(const std::string&)>& lane_open) {
  std::vector<OutgoingBatch> ready;
  for (auto& [writer, lane] : lanes_) {
    if (lane_open && !lane_open(writer)) continue;
    while (!lane.queue.empty() && inflight_.size() < limits_.max_inflight_requests) {
      const bool full = lane.queue.size() >= limits_.max_records || lane.bytes >= limits_.max_bytes;
      if (!full && !drain) break;
      OutgoingBatch batch;
      batch.id = next_id_++;
      batch.writer = writer;
      std::vector<const std::string*> keys;
      std::size_t bytes = 0;
      while (!lane.queue.empty() && batch.records.size() < limits_.max_records) {
        Entry& entry = lane.queue.front()->second;
        // Always take at least one record, however large, so nothing starves.
        if (!batch.records.empty() && bytes + entry.bytes > limits_.max_bytes) break;
        bytes += entry.bytes;
        lane.bytes -= entry.bytes;
        // Moved: the request owns what it sends; a refused record comes back
        // from it (Complete's `sent`), not from a copy kept here.
        batch.records.push_back(std::move(entry.record));
        keys.push_back(&lane.queue.front()->first);
        lane.queue.pop_front();
      }
      inflight_.emplace(batch.id, std::move(keys));
      ready.push_back(std::move(batch));
    }
  }
  std::erase_if(lanes_, [](const auto& entry) { return entry.second.queue.empty(); });
  return ready;
}

std::vector<RecordResult> Batcher::Complete(std::uint64_t id,
                                           const Result<std::vector<salesforce::UpsertOutcome>>& outcome,
                                           std::uint64_t visible_with,
                                           std::span<const salesforce::UpsertRecord> sent) {
  std::vector<RecordResult> results;
  auto it = inflight_.find(id);
  if (it == inflight_.end()) return results;
  const std::vector<const std::string*> keys = std::move(it->second);
  inflight_.erase(it);
  results.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto node = entries_.extract(*keys[i]);
    if (node.empty()) continue;   // cannot happen: an in-flight key has its entry
    Entry& entry = node.mapped();
    RecordResult result;
    result.key = std::move(node.key());
    result.first_user = std::move(entry.first_user);
    result.waiters = std::move(entry.waiters);
    if (outcome.ok() && i < outcome.value().size()) {
      result.outcome = outcome.value()[i];
      // Kept for the quarantine, which re-sends it on `crmsync retry`.
      if (!result.outcome->success && i < sent.size()) {
        // Copied, and rarely: the request may still read what it sent.
        result.record = sent[i];
        // The quarantine stores fields, not JSON. A record rendered by this
        // process always reads back; if not, it is kept rendered.
        (void)salesforce::MaterializeFields(result.record);
      }
      if (result.outcome->success) {
        done_.AddWritten(result.key, visible_with);
      } else if (!IsTransientRecordError(result.outcome->error_code)) {
        done_.AddQuarantined(result.key);
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace crmsync::engine

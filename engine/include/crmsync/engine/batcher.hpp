// batch: captured records of one tenant grouped into sObject Collections
// upserts of at most 200 records. A key is never twice in one request and
// never in flight in two requests at once (an external-ID uniqueness
// constraint cannot be relied on: two concurrent upserts of a new key could
// both create). Copies of a key seen while it is queued or in flight wait for
// that write's outcome. Single-threaded (owned by the coordinator node).
//
// Records are grouped per writer lane: with per-user Salesforce authorization
// each user's records go out with that user's own token, so one request never
// mixes two writers. With mass authorization every record is in the one lane
// "" and batching is exactly as if lanes did not exist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/done_keys.hpp"
#include "crmsync/engine/page_tracker.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::engine {

struct BatcherLimits {
  std::size_t max_records = 200;          // Salesforce's collection limit
  std::size_t max_bytes = 6u << 20;       // approximate body size per request
  std::size_t max_inflight_requests = 4;  // concurrent upserts per tenant
};

struct OutgoingBatch {
  std::uint64_t id = 0;
  std::string writer;                  // the lane: "" (service account) or the writing user
  std::vector<salesforce::UpsertRecord> records;
};

// The fate of one record after its batch completed.
struct RecordResult {
  std::string key;
  std::string first_user;              // mailbox the record was first seen in
  std::vector<PageRef> waiters;        // every page copy waiting on this key
  std::optional<salesforce::UpsertOutcome> outcome;   // nullopt: the batch failed as a whole
  salesforce::UpsertRecord record = {};   // the record sent, when Salesforce refused it
};

// Per-record Salesforce errors worth retrying in a later run (row locks,
// limits); every other per-record error is permanent and goes to quarantine.
bool IsTransientRecordError(const std::string& error_code);

class Batcher {
 public:
  explicit Batcher(BatcherLimits limits = {});

  enum class Added { kQueued, kAttached, kDoneThisRun };
  // kQueued: a new key; kAttached: the key is queued or in flight, `waiter`
  // will be released with it; kDoneThisRun: the key was already written (or
  // quarantined) in this run, the caller marks the message terminal now.
  // A written key is known here only until every page that could have
  // missed its ledger row reached the coordinator (ForgetDone): a page
  // looking up after that finds the row and never brings the key here.
  // `writer` picks the lane of a new key; a key already queued or in flight
  // keeps the lane of its first writer (first writer wins).
  Added Add(salesforce::UpsertRecord record, const std::string& user, PageRef waiter,
            const std::string& writer = "");

  // Requests ready to send: full ones always, partial ones only with `drain`
  // (nothing more is coming soon). Respects max_inflight_requests, counted
  // over all lanes. Lanes for which `lane_open` answers false (a writer whose
  // grant was refused) stay queued.
  std::vector<OutgoingBatch> TakeReady(bool drain,
                                       const std::function<bool(const std::string&)>& lane_open = {});

  // Outcomes of batch `id`, one per record in order, or the whole batch's
  // failure. `sent` is the batch's records as TakeReady handed them over
  // (the batcher keeps no copy): a refused one is returned from there.
  // Terminal keys are remembered: a written one until ForgetDone passes
  // `visible_with` (the commit generation that will carry its ledger row,
  // CommitGenerations::Next()), a permanently refused one for the rest of
  // the run. After a batch failure or a transient record error the key
  // is not done, so a later copy is written again.
  std::vector<RecordResult> Complete(std::uint64_t id,
                                     const Result<std::vector<salesforce::UpsertOutcome>>& outcome,
                                     std::uint64_t visible_with, std::span<const salesforce::UpsertRecord> sent);

  // Forgets the written keys stamped at or below `safe` (CommitGenerations::Safe()).
  std::size_t ForgetDone(std::uint64_t safe) { return done_.ForgetUpTo(safe); }
  std::size_t done_keys() const { return done_.size(); }

  std::size_t queued() const;
  std::size_t inflight_requests() const { return inflight_.size(); }

 private:
  struct Entry {
    salesforce::UpsertRecord record;   // until TakeReady moves it into its request
    std::string first_user;
    std::vector<PageRef> waiters;
    std::size_t bytes = 0;
  };

  // Queues and in-flight batches point into entries_ (an unordered_map's
  // elements do not move while they live): each key is stored once, found
  // again without hashing when its batch is taken, and handed over (not
  // copied) when its batch completes.
  using EntryNode = std::pair<const std::string, Entry>;
  struct Lane {
    std::deque<EntryNode*> queue;   // entries not yet sent, in arrival order
    std::size_t bytes = 0;
  };

  BatcherLimits limits_;
  std::unordered_map<std::string, Entry> entries_;     // queued or in flight
  std::map<std::string, Lane> lanes_;                   // writer -> its queue (ordered: deterministic)
  std::unordered_map<std::uint64_t, std::vector<const std::string*>> inflight_;  // batch id -> keys
  DoneKeys done_;
  std::uint64_t next_id_ = 1;
};

}  // namespace crmsync::engine

#include "crmsync/engine/crm_resolver.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

#include "deterministic.hpp"

namespace crmsync::engine {

CrmResolver::CrmResolver(std::string tenant, salesforce::SalesforceClient& client)
    : tenant_(std::move(tenant)), client_(client) {}

std::vector<std::string> CrmResolver::Uncached(const std::vector<std::string>& addresses) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> misses;
  for (const auto& a : addresses) {
    if (cache_.count(a) == 0) misses.push_back(a);
  }
  return misses;
}

void CrmResolver::Seed(const std::string& address, CrmMatch match) {
  std::lock_guard lock(mutex_);
  cache_.emplace(address, std::move(match));
}

std::optional<CrmMatch> CrmResolver::Find(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = cache_.find(address);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

std::vector<DirectoryRow> CrmResolver::TakeNewRows() {
  std::lock_guard lock(mutex_);
  return std::exchange(new_rows_, {});
}

void CrmResolver::Resolve(const std::vector<std::string>& addresses, std::function<void(Status)> done) {
  std::optional<Batch> batch;
  bool all_cached = true;
  {
    std::lock_guard lock(mutex_);
    Waiter waiter;
    for (const auto& a : addresses) {
      if (cache_.count(a) > 0) continue;
      waiter.pending.push_back(a);
      if (in_lookup_.insert(a).second) queued_.push_back(a);
    }
    if (!waiter.pending.empty()) {
      all_cached = false;
      waiter.done = std::move(done);
      waiters_.push_back(std::move(waiter));
      batch = NextBatchLocked();
    }
  }
  if (all_cached) {
    done(Status::Ok());
    return;
  }
  if (batch) Dispatch(std::move(*batch));
}

std::optional<CrmResolver::Batch> CrmResolver::NextBatchLocked() {
  if (queued_.empty() || lookups_in_flight_ >= kMaxLookupsInFlight) return std::nullopt;
  const std::size_t take = std::min(queued_.size(), kMaxAddressesPerLookup);
  Batch batch(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(take));
  queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(take));
  ++lookups_in_flight_;
  return batch;
}

void CrmResolver::Dispatch(Batch batch) {
  struct Join {
    std::atomic<int> remaining{2};
    std::mutex mutex;
    Status error;
    std::vector<salesforce::EmailMatch> contacts, leads;
  };
  auto join = std::make_shared<Join>();
  auto shared_batch = std::make_shared<Batch>(std::move(batch));
  auto on_result = [this, join, shared_batch](bool contacts, Result<std::vector<salesforce::EmailMatch>> result) {
    {
      std::lock_guard lock(join->mutex);
      if (!result.ok()) {
        if (join->error.ok()) join->error = result.status();
      } else {
        (contacts ? join->contacts : join->leads) = std::move(result.value());
      }
    }
    if (--join->remaining == 0) Complete(*shared_batch, join->error, join->contacts, join->leads);
  };
  client_.QueryByEmail("Contact", *shared_batch, [on_result](auto result) { on_result(true, std::move(result)); });
  client_.QueryByEmail("Lead", *shared_batch, [on_result](auto result) { on_result(false, std::move(result)); });
}

void CrmResolver::Complete(const Batch& batch, const Status& status,
                           const std::vector<salesforce::EmailMatch>& contacts,
                           const std::vector<salesforce::EmailMatch>& leads) {
  std::vector<std::function<void(Status)>> ready;
  std::vector<std::function<void(Status)>> failed;
  std::optional<Batch> next;
  {
    std::lock_guard lock(mutex_);
    --lookups_in_flight_;
    const std::unordered_set<std::string> in_batch(batch.begin(), batch.end());
    for (const auto& a : batch) in_lookup_.erase(a);
    if (status.ok()) {
      std::unordered_map<std::string, CrmMatch> found;
      for (const auto& a : batch) found[a];
      for (const auto& m : contacts) KeepSmallestId(found[m.email].contact_id, m.id);
      for (const auto& m : leads) KeepSmallestId(found[m.email].lead_id, m.id);
      const std::int64_t now = NowUnixMs();
      for (const auto& a : batch) {
        const CrmMatch& match = found[a];
        cache_[a] = match;
        new_rows_.emplace_back(tenant_, "Contact/" + a, state::DirectoryEntry{"Contact", match.contact_id, now});
        new_rows_.emplace_back(tenant_, "Lead/" + a, state::DirectoryEntry{"Lead", match.lead_id, now});
      }
    }
    // Settle every waiter this lookup touched: done when nothing is pending,
    // failed when one of its addresses was in a failed lookup.
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      bool touched = false;
      auto& pending = it->pending;
      pending.erase(std::remove_if(pending.begin(), pending.end(),
                                   [&](const std::string& a) {
                                     const bool mine = in_batch.count(a) > 0;
                                     touched = touched || mine;
                                     return mine && status.ok();
                                   }),
                    pending.end());
      if (touched && !status.ok()) {
        failed.push_back(std::move(it->done));
        it = waiters_.erase(it);
      } else if (pending.empty()) {
        ready.push_back(std::move(it->done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    next = NextBatchLocked();
  }
  if (next) Dispatch(std::move(*next));
  for (auto& done : ready) done(Status::Ok());
  for (auto& done : failed) done(status);
}

}  // namespace crmsync::engine

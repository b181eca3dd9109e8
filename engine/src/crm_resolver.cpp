#include "crmsync/engine/crm_resolver.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <memory>

#include "deterministic.hpp"

namespace crmsync::engine {
namespace {

constexpr std::int64_t kHourMs = 3600LL * 1000;

}  // namespace

CrmResolverOptions ResolverOptionsFrom(const CaptureConfig& capture) {
  CrmResolverOptions options;
  const auto& objects = capture.match_objects;
  options.query_contacts = std::find(objects.begin(), objects.end(), "Contact") != objects.end();
  options.query_leads = std::find(objects.begin(), objects.end(), "Lead") != objects.end();
  options.match_ttl_ms = capture.match_ttl_hours * kHourMs;
  options.miss_ttl_ms = capture.miss_ttl_hours * kHourMs;
  options.prime = capture.prime_crm_cache;
  // Long enough for the pages of a busy first run to gather into one lookup,
  // short next to a lookup's own round trip to Salesforce.
  options.linger = std::chrono::milliseconds(25);
  return options;
}

CrmResolver::CrmResolver(std::string tenant, salesforce::SalesforceClient& client, CrmResolverOptions options)
    : tenant_(std::move(tenant)), client_(client), options_(std::move(options)) {
  if (options_.prime) prime_state_ = PrimeState::kPending;
}

CrmResolver::~CrmResolver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  timer_wake_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void CrmResolver::TimerLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!timer_armed_) {
      timer_wake_.wait(lock);
      continue;
    }
    const auto deadline = queued_since_ + options_.linger;
    if (std::chrono::steady_clock::now() < deadline) {
      timer_wake_.wait_until(lock, deadline);
      continue;
    }
    timer_armed_ = false;
    std::optional<Batch> batch = NextBatchLocked();
    if (!batch) continue;
    lock.unlock();
    Dispatch(std::move(*batch));
    lock.lock();
  }
}

std::int64_t CrmResolver::Now() const { return options_.now_unix_ms ? options_.now_unix_ms() : NowUnixMs(); }

std::int64_t CrmResolver::TtlOf(const std::string& id) const {
  return id.empty() ? options_.miss_ttl_ms : options_.match_ttl_ms;
}

// The earliest expiry of the queried objects' answers: a Contact found next
// to "no Lead" is looked up again when the "no Lead" expires.
std::int64_t CrmResolver::ExpiryOf(const CrmMatch& match, std::int64_t fetched_unix_ms) const {
  std::int64_t ttl = options_.match_ttl_ms;
  if (options_.query_contacts) ttl = std::min(ttl, TtlOf(match.contact_id));
  if (options_.query_leads) ttl = std::min(ttl, TtlOf(match.lead_id));
  if (!options_.query_contacts && !options_.query_leads) ttl = options_.miss_ttl_ms;
  return fetched_unix_ms + ttl;
}

bool CrmResolver::FreshLocked(const std::string& address, std::int64_t now) const {
  const CrmCacheEntry* entry = cache_.FindAnswered(address);
  return entry != nullptr && now < entry->expires_unix_ms;
}

CrmCacheEntry& CrmResolver::StoreLocked(const std::string& address, CrmMatch match, std::int64_t expires_unix_ms,
                                        bool unsaved) {
  CrmCacheEntry& entry = cache_.FindOrAdd(address);
  entry.answered = true;
  entry.match = std::move(match);
  entry.expires_unix_ms = expires_unix_ms;
  entry.unsaved = unsaved;
  return entry;
}

std::vector<std::string> CrmResolver::Uncached(const std::vector<std::string>& addresses) {
  std::lock_guard lock(mutex_);
  const std::int64_t now = Now();
  std::vector<std::string> misses;
  for (const auto& a : addresses) {
    if (!FreshLocked(a, now)) misses.push_back(a);
  }
  return misses;
}

std::vector<std::string> CrmResolver::DirectoryKeys(const std::vector<std::string>& addresses) const {
  std::vector<std::string> keys;
  for (const auto& a : addresses) {
    if (options_.query_contacts) keys.push_back("Contact/" + a);
    if (options_.query_leads) keys.push_back("Lead/" + a);
  }
  return keys;
}

std::size_t CrmResolver::SeedFromDirectory(const std::vector<std::string>& addresses,
                                           const std::vector<std::optional<state::DirectoryEntry>>& rows) {
  const std::size_t per_address = (options_.query_contacts ? 1 : 0) + (options_.query_leads ? 1 : 0);
  if (per_address == 0 || rows.size() != addresses.size() * per_address) return 0;
  const std::int64_t now = Now();
  std::size_t seeded = 0;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    CrmMatch match;
    std::int64_t expires = std::numeric_limits<std::int64_t>::max();
    bool complete = true;
    std::size_t at = i * per_address;
    for (std::string* id : {options_.query_contacts ? &match.contact_id : nullptr,
                            options_.query_leads ? &match.lead_id : nullptr}) {
      if (id == nullptr) continue;
      const auto& row = rows[at++];
      if (!row) {
        complete = false;
        break;
      }
      *id = row->salesforce_id;
      expires = std::min(expires, row->fetched_unix_ms + TtlOf(row->salesforce_id));
    }
    if (!complete || expires <= now) continue;
    std::lock_guard lock(mutex_);
    const CrmCacheEntry* entry = cache_.FindAnswered(addresses[i]);
    if (entry == nullptr || entry->expires_unix_ms < expires) {
      StoreLocked(addresses[i], std::move(match), expires, false);
    }
    ++seeded;
  }
  return seeded;
}

std::optional<CrmMatch> CrmResolver::Find(const std::string& address) {
  std::lock_guard lock(mutex_);
  const CrmCacheEntry* entry = cache_.FindAnswered(address);
  if (entry == nullptr) return std::nullopt;
  return entry->match;
}

void CrmResolver::FirstMatches(const std::vector<std::string>& addresses, std::string& contact_id,
                               std::string& lead_id) {
  std::lock_guard lock(mutex_);
  for (const auto& a : addresses) {
    const CrmCacheEntry* entry = cache_.FindAnswered(a);
    if (entry == nullptr) continue;
    const CrmMatch& match = entry->match;
    if (contact_id.empty()) contact_id = match.contact_id;
    if (lead_id.empty()) lead_id = match.lead_id;
    if (!contact_id.empty() && !lead_id.empty()) break;
  }
}

void CrmResolver::LearnCreatedLead(const std::string& address, const std::string& lead_id) {
  std::lock_guard lock(mutex_);
  CrmMatch match;
  if (const CrmCacheEntry* entry = cache_.FindAnswered(address)) {
    match.contact_id = entry->match.contact_id;
  }
  match.lead_id = lead_id;
  LearnLocked(address, match, Now());
}

std::vector<DirectoryRow> CrmResolver::TakeNewRows() {
  std::lock_guard lock(mutex_);
  return std::exchange(new_rows_, {});
}

std::size_t CrmResolver::distinct_addresses() {
  std::lock_guard lock(mutex_);
  return asked_;
}

void CrmResolver::LearnLocked(const std::string& address, const CrmMatch& match, std::int64_t now) {
  StoreLocked(address, match, ExpiryOf(match, now), false);
  // A miss is written with sobject "" (state::DirectoryEntry): the key names the object.
  auto row = [&](const char* sobject, const std::string& id) {
    new_rows_.emplace_back(tenant_, std::string(sobject) + "/" + address,
                           state::DirectoryEntry{id.empty() ? "" : sobject, id, now});
  };
  if (options_.query_contacts) row("Contact", match.contact_id);
  if (options_.query_leads) row("Lead", match.lead_id);
}

void CrmResolver::Resolve(const std::vector<std::string>& addresses, std::function<void(Status)> done) {
  std::optional<Batch> batch;
  bool all_cached = true;
  bool start_prime = false;
  {
    std::lock_guard lock(mutex_);
    const std::int64_t now = Now();
    Waiter waiter;
    for (const auto& a : addresses) {
      // One lookup per address: the entry is added unanswered when new, so
      // that its asked flag counts it once.
      CrmCacheEntry& entry = cache_.FindOrAdd(a);
      if (!entry.asked) {
        entry.asked = true;
        ++asked_;
      }
      if (entry.answered && now < entry.expires_unix_ms) {
        if (entry.unsaved) LearnLocked(a, CrmMatch(entry.match), now);
        continue;
      }
      if (prime_state_ == PrimeState::kDone && !entry.answered) {
        LearnLocked(a, CrmMatch{}, now);   // not among the primed emails: nobody has it
        continue;
      }
      ++waiter.pending;
      waiting_on_[a].push_back(next_waiter_);
      if (prime_state_ == PrimeState::kPending || prime_state_ == PrimeState::kRunning) continue;
      if (in_lookup_.insert(a).second) {
        if (queued_.empty()) queued_since_ = std::chrono::steady_clock::now();
        queued_.push_back(a);
      }
    }
    if (waiter.pending > 0) {
      all_cached = false;
      waiter.done = std::move(done);
      waiters_.emplace(next_waiter_++, std::move(waiter));
      if (prime_state_ == PrimeState::kPending) {
        prime_state_ = PrimeState::kRunning;
        start_prime = true;
      } else {
        batch = NextBatchLocked();
      }
    }
  }
  if (all_cached) {
    done(Status::Ok());
    return;
  }
  if (start_prime) Prime();
  if (batch) Dispatch(std::move(*batch));
}

std::optional<CrmResolver::Batch> CrmResolver::NextBatchLocked() {
  if (queued_.empty() || lookups_in_flight_ >= kMaxLookupsInFlight) return std::nullopt;
  if (lookups_in_flight_ > 0 && queued_.size() < kMinAddressesForConcurrentLookup) return std::nullopt;
  if (options_.linger.count() > 0 && queued_.size() < kMinAddressesForConcurrentLookup &&
      std::chrono::steady_clock::now() < queued_since_ + options_.linger) {
    timer_armed_ = true;
    if (!timer_.joinable()) {
      timer_ = std::thread([this] { TimerLoop(); });
    } else {
      timer_wake_.notify_all();
    }
    return std::nullopt;
  }
  const std::size_t take = std::min(queued_.size(), kMaxAddressesPerLookup);
  Batch batch(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(take));
  queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(take));
  if (!queued_.empty()) queued_since_ = std::chrono::steady_clock::now();
  ++lookups_in_flight_;
  return batch;
}

namespace {

// Joins the Contact and Lead answers of one lookup (or priming pass).
struct Join {
  explicit Join(int queries) : remaining(queries) {}
  std::atomic<int> remaining;
  std::mutex mutex;
  Status error;
  std::vector<salesforce::EmailMatch> contacts, leads;

  // True for the last answer.
  bool Add(bool contact, Result<std::vector<salesforce::EmailMatch>> result) {
    {
      std::lock_guard lock(mutex);
      if (!result.ok()) {
        if (error.ok()) error = result.status();
      } else {
        (contact ? contacts : leads) = std::move(result.value());
      }
    }
    return --remaining == 0;
  }
};

}  // namespace

void CrmResolver::Dispatch(Batch batch) {
  const int queries = (options_.query_contacts ? 1 : 0) + (options_.query_leads ? 1 : 0);
  if (queries == 0) {
    Complete(batch, Status::Ok(), {}, {});
    return;
  }
  auto join = std::make_shared<Join>(queries);
  auto shared_batch = std::make_shared<Batch>(std::move(batch));
  auto on_result = [this, join, shared_batch](bool contacts, Result<std::vector<salesforce::EmailMatch>> result) {
    if (join->Add(contacts, std::move(result))) Complete(*shared_batch, join->error, join->contacts, join->leads);
  };
  if (options_.query_contacts) {
    client_.QueryByEmail("Contact", *shared_batch, [on_result](auto result) { on_result(true, std::move(result)); });
  }
  if (options_.query_leads) {
    client_.QueryByEmail("Lead", *shared_batch, [on_result](auto result) { on_result(false, std::move(result)); });
  }
}

void CrmResolver::Prime() {
  const int queries = (options_.query_contacts ? 1 : 0) + (options_.query_leads ? 1 : 0);
  if (queries == 0) {
    CompletePrime(Status::Ok(), {}, {});
    return;
  }
  auto join = std::make_shared<Join>(queries);
  auto on_result = [this, join](bool contacts, Result<std::vector<salesforce::EmailMatch>> result) {
    if (join->Add(contacts, std::move(result))) CompletePrime(join->error, join->contacts, join->leads);
  };
  if (options_.query_contacts) {
    client_.QueryAllEmails("Contact", [on_result](auto result) { on_result(true, std::move(result)); });
  }
  if (options_.query_leads) {
    client_.QueryAllEmails("Lead", [on_result](auto result) { on_result(false, std::move(result)); });
  }
}

void CrmResolver::CompletePrime(const Status& status, const std::vector<salesforce::EmailMatch>& contacts,
                                const std::vector<salesforce::EmailMatch>& leads) {
  std::vector<std::function<void(Status)>> ready;
  std::vector<std::function<void(Status)>> failed;
  std::optional<Batch> next;
  {
    std::lock_guard lock(mutex_);
    std::unordered_set<std::string> waiting;
    for (const auto& [address, ids] : waiting_on_) waiting.insert(address);
    if (status.ok()) {
      const std::int64_t now = Now();
      std::unordered_map<std::string, CrmMatch> primed;
      for (const auto& m : contacts) KeepSmallestId(primed[m.email].contact_id, m.id);
      for (const auto& m : leads) KeepSmallestId(primed[m.email].lead_id, m.id);
      for (auto& [email, match] : primed) {
        const std::int64_t expires = ExpiryOf(match, now);
        StoreLocked(email, std::move(match), expires, true);
      }
      for (const auto& a : waiting) {
        const CrmCacheEntry* entry = cache_.FindAnswered(a);
        LearnLocked(a, entry != nullptr && entry->unsaved ? CrmMatch(entry->match) : CrmMatch{}, now);
      }
      prime_state_ = PrimeState::kDone;
      SettleLocked(waiting, status, ready, failed);
    } else {
      // The org refused the priming queries: look the addresses up in
      // batches as without priming, rather than blocking every page.
      prime_state_ = PrimeState::kOff;
      for (const auto& a : waiting) {
        if (!in_lookup_.insert(a).second) continue;
        if (queued_.empty()) queued_since_ = std::chrono::steady_clock::now();
        queued_.push_back(a);
      }
      next = NextBatchLocked();
    }
  }
  if (next) Dispatch(std::move(*next));
  for (auto& done : ready) done(Status::Ok());
  for (auto& done : failed) done(status);
}

void CrmResolver::SettleLocked(const std::unordered_set<std::string>& resolved, const Status& status,
                               std::vector<std::function<void(Status)>>& ready,
                               std::vector<std::function<void(Status)>>& failed) {
  // Done when nothing is pending, failed when one of its addresses was in a
  // failed lookup. A failed waiter's other addresses still list its id; they
  // find it gone.
  std::vector<std::pair<std::uint64_t, std::function<void(Status)>>> ready_now;
  std::vector<std::pair<std::uint64_t, std::function<void(Status)>>> failed_now;
  for (const auto& address : resolved) {
    auto on = waiting_on_.find(address);
    if (on == waiting_on_.end()) continue;
    for (const std::uint64_t id : on->second) {
      auto waiter = waiters_.find(id);
      if (waiter == waiters_.end()) continue;
      if (!status.ok()) {
        failed_now.emplace_back(id, std::move(waiter->second.done));
        waiters_.erase(waiter);
      } else if (--waiter->second.pending == 0) {
        ready_now.emplace_back(id, std::move(waiter->second.done));
        waiters_.erase(waiter);
      }
    }
    waiting_on_.erase(on);
  }
  const auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(ready_now.begin(), ready_now.end(), by_id);
  std::sort(failed_now.begin(), failed_now.end(), by_id);
  for (auto& [id, done] : ready_now) ready.push_back(std::move(done));
  for (auto& [id, done] : failed_now) failed.push_back(std::move(done));
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
      const std::int64_t now = Now();
      for (const auto& a : batch) LearnLocked(a, found[a], now);
    }
    SettleLocked(in_batch, status, ready, failed);
    next = NextBatchLocked();
  }
  if (next) Dispatch(std::move(*next));
  for (auto& done : ready) done(Status::Ok());
  for (auto& done : failed) done(status);
}

}  // namespace crmsync::engine

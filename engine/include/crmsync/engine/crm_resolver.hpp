// resolve: participant addresses to Salesforce Contact / Lead ids for one
// tenant. Pages ask for their addresses; addresses not cached yet are
// queued and looked up together in batched SOQL (Contact and Lead at once),
// with at most kMaxLookupsInFlight lookups per tenant: while they run, the
// misses of other pages gather into the next one, so a busy run spends few
// queries and the same address is never queried twice at once. Thread-safe.
//
// Cached answers expire: a match after match_ttl, "nobody has this address"
// after miss_ttl (the directory column family keeps both across runs). Only
// the objects of capture.match_objects are queried. With prime_crm_cache the
// first lookup of a run loads every Contact / Lead email with paged SOQL
// instead; addresses missing from it are then known misses for the run.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/capture_config.hpp"
#include "crmsync/engine/crm_resolver_cache.hpp"
#include "crmsync/salesforce/client.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

using DirectoryRow = std::tuple<std::string, std::string, state::DirectoryEntry>;

struct CrmResolverOptions {
  bool query_contacts = true;
  bool query_leads = true;
  std::int64_t match_ttl_ms = 24LL * 3600 * 1000;
  std::int64_t miss_ttl_ms = 6LL * 3600 * 1000;
  bool prime = false;
  // A small lookup waits this long for the misses of other pages to join it
  // (0: sent at once). Large queues never wait.
  std::chrono::milliseconds linger{0};
  std::function<std::int64_t()> now_unix_ms;   // empty: the system clock
};

// The options a tenant's [tenants.capture] asks for.
CrmResolverOptions ResolverOptionsFrom(const CaptureConfig& capture);

class CrmResolver {
 public:
  static constexpr int kMaxLookupsInFlight = 2;
  static constexpr std::size_t kMaxAddressesPerLookup = 500;
  // A second lookup runs beside the first only for at least this many
  // queued addresses (about one URL-sized query): a trickle of small misses
  // waits for the running lookup and gathers, which is what keeps the query
  // count of a large first run far below its number of addresses.
  static constexpr std::size_t kMinAddressesForConcurrentLookup = 100;

  CrmResolver(std::string tenant, salesforce::SalesforceClient& client, CrmResolverOptions options = {});
  ~CrmResolver();
  CrmResolver(const CrmResolver&) = delete;
  CrmResolver& operator=(const CrmResolver&) = delete;

  // Addresses of `addresses` with no fresh cached match.
  std::vector<std::string> Uncached(const std::vector<std::string>& addresses);
  // Directory keys ("Contact/<address>", "Lead/<address>") of the queried
  // objects, in that order per address, for GetDirectoryMany.
  std::vector<std::string> DirectoryKeys(const std::vector<std::string>& addresses) const;
  // Seeds every address of `addresses` whose rows (as read for
  // DirectoryKeys(addresses)) are all present and unexpired; returns how many.
  std::size_t SeedFromDirectory(const std::vector<std::string>& addresses,
                                const std::vector<std::optional<state::DirectoryEntry>>& rows);
  // Calls `done` once every address has a cached match (at once when all are
  // cached), or with the lookup's error. `done` may run on the transport thread.
  void Resolve(const std::vector<std::string>& addresses, std::function<void(Status)> done);
  std::optional<CrmMatch> Find(const std::string& address);
  // The first non-empty Contact id and the first non-empty Lead id among the
  // cached matches of `addresses`, in their order ("" when none): what a
  // record's WhoId is chosen from, under one lock and copying only those two.
  void FirstMatches(const std::vector<std::string>& addresses, std::string& contact_id, std::string& lead_id);
  // A Lead crmsync just created for `address` (lead_creator.hpp): cached as
  // its Lead match from now on, and its directory rows go to the checkpoint.
  void LearnCreatedLead(const std::string& address, const std::string& lead_id);
  // Directory rows learnt from Salesforce since the last call, for the checkpoint.
  std::vector<DirectoryRow> TakeNewRows();
  // Distinct addresses passed to Resolve so far (this run).
  std::size_t distinct_addresses();

 private:
  struct Waiter {
    std::size_t pending = 0;   // addresses not yet resolved
    std::function<void(Status)> done;
  };
  using Batch = std::vector<std::string>;

  std::int64_t Now() const;
  std::int64_t TtlOf(const std::string& id) const;
  std::int64_t ExpiryOf(const CrmMatch& match, std::int64_t fetched_unix_ms) const;
  bool FreshLocked(const std::string& address, std::int64_t now) const;
  // Under mutex_: sets the cached answer of `address`, keeping its asked flag.
  CrmCacheEntry& StoreLocked(const std::string& address, CrmMatch match, std::int64_t expires_unix_ms, bool unsaved);
  // Under mutex_: moves queued addresses into a lookup if the cap allows.
  std::optional<Batch> NextBatchLocked();
  void Dispatch(Batch batch);
  void Prime();
  // The linger timer: dispatches a lingering lookup once its time is up.
  void TimerLoop();
  void CompletePrime(const Status& status, const std::vector<salesforce::EmailMatch>& contacts,
                     const std::vector<salesforce::EmailMatch>& leads);
  // Under mutex_: caches `match` for `address` and records its directory rows.
  void LearnLocked(const std::string& address, const CrmMatch& match, std::int64_t now);
  // Under mutex_: removes resolved addresses from the waiters; moves the
  // done callbacks of finished waiters to `ready`.
  void SettleLocked(const std::unordered_set<std::string>& resolved, const Status& status,
                    std::vector<std::function<void(Status)>>& ready,
                    std::vector<std::function<void(Status)>>& failed);
  void Complete(const Batch& batch, const Status& status,
                const std::vector<salesforce::EmailMatch>& contacts,
                const std::vector<salesforce::EmailMatch>& leads);

  std::string tenant_;
  salesforce::SalesforceClient& client_;
  std::mutex mutex_;
  CrmResolverOptions options_;
  CrmResolverCache<> cache_;
  std::size_t asked_ = 0;   // entries whose asked flag is set
  enum class PrimeState { kOff, kPending, kRunning, kDone };
  PrimeState prime_state_ = PrimeState::kOff;
  std::unordered_map<std::string, CrmMatch> primed_;   // every email of the queried objects
  std::unordered_set<std::string> in_lookup_;   // queued or being queried
  std::vector<std::string> queued_;
  std::chrono::steady_clock::time_point queued_since_;   // when queued_ last became non-empty
  std::thread timer_;                    // started by the first lingering lookup
  std::condition_variable timer_wake_;
  bool timer_armed_ = false;
  bool stopping_ = false;
  int lookups_in_flight_ = 0;
  // The pages waiting for lookups, and for each address the pages waiting on
  // it: settling a lookup touches only its own addresses' pages, so the cost
  // does not grow with the thousands of pages a latency-hiding run keeps
  // waiting. Ids increase, so pages are answered in the order they asked.
  std::uint64_t next_waiter_ = 0;
  std::unordered_map<std::uint64_t, Waiter> waiters_;
  std::unordered_map<std::string, std::vector<std::uint64_t>> waiting_on_;
  std::vector<DirectoryRow> new_rows_;
};

}  // namespace crmsync::engine

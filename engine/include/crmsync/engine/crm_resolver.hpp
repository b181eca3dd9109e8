// resolve: participant addresses to Salesforce Contact / Lead ids for one
// tenant. Pages ask for their addresses; addresses not cached yet are
// queued and looked up together in batched SOQL (Contact and Lead at once),
// with at most kMaxLookupsInFlight lookups per tenant: while they run, the
// misses of other pages gather into the next one, so a busy run spends few
// queries and the same address is never queried twice at once. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/salesforce/client.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// What Salesforce knows of one address: Contact and Lead ids ("" = none).
struct CrmMatch {
  std::string contact_id;
  std::string lead_id;
};

using DirectoryRow = std::tuple<std::string, std::string, state::DirectoryEntry>;

class CrmResolver {
 public:
  static constexpr int kMaxLookupsInFlight = 2;
  static constexpr std::size_t kMaxAddressesPerLookup = 500;

  CrmResolver(std::string tenant, salesforce::SalesforceClient& client);

  // Addresses of `addresses` with no cached match.
  std::vector<std::string> Uncached(const std::vector<std::string>& addresses);
  // A match read from the directory column family (an earlier run).
  void Seed(const std::string& address, CrmMatch match);
  // Calls `done` once every address has a cached match (at once when all are
  // cached), or with the lookup's error. `done` may run on the transport thread.
  void Resolve(const std::vector<std::string>& addresses, std::function<void(Status)> done);
  std::optional<CrmMatch> Find(const std::string& address);
  // Directory rows learnt from Salesforce since the last call, for the checkpoint.
  std::vector<DirectoryRow> TakeNewRows();

 private:
  struct Waiter {
    std::vector<std::string> pending;   // addresses not yet resolved
    std::function<void(Status)> done;
  };
  using Batch = std::vector<std::string>;

  // Under mutex_: moves queued addresses into a lookup if the cap allows.
  std::optional<Batch> NextBatchLocked();
  void Dispatch(Batch batch);
  void Complete(const Batch& batch, const Status& status,
                const std::vector<salesforce::EmailMatch>& contacts,
                const std::vector<salesforce::EmailMatch>& leads);

  std::string tenant_;
  salesforce::SalesforceClient& client_;
  std::mutex mutex_;
  std::unordered_map<std::string, CrmMatch> cache_;
  std::unordered_set<std::string> in_lookup_;   // queued or being queried
  std::vector<std::string> queued_;
  int lookups_in_flight_ = 0;
  std::vector<Waiter> waiters_;
  std::vector<DirectoryRow> new_rows_;
};

}  // namespace crmsync::engine

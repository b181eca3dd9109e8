// Every use of one tenant's credentials against another tenant's data, seen
// by any simulated service (Graph, EWS, Google sign-in, Gmail, Salesforce),
// counted against the tenant whose data was asked for. `/_sim/verify`
// reports the counts as `isolation_violations`; every end-to-end test
// expects zero.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace crmsync::sim {

class IsolationLog {
 public:
  // `tenant_ids` in corpus order (index = tenant index).
  explicit IsolationLog(std::vector<std::string> tenant_ids);

  void Record(int victim_tenant);
  // By tenant id, for services that know tenants by id (Salesforce orgs).
  void Record(std::string_view victim_tenant_id);

  std::uint64_t total() const { return total_.load(); }
  std::uint64_t of(int tenant) const;

 private:
  std::vector<std::string> ids_;
  std::unordered_map<std::string, int> index_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> total_{0};
};

}  // namespace crmsync::sim

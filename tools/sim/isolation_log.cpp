#include "isolation_log.hpp"

namespace crmsync::sim {

IsolationLog::IsolationLog(std::vector<std::string> tenant_ids)
    : ids_(std::move(tenant_ids)), counts_(new std::atomic<std::uint64_t>[ids_.size() + 1]) {
  for (std::size_t i = 0; i <= ids_.size(); ++i) counts_[i] = 0;
  for (std::size_t i = 0; i < ids_.size(); ++i) index_.emplace(ids_[i], static_cast<int>(i));
}

void IsolationLog::Record(int victim_tenant) {
  ++total_;
  // A tenant the corpus does not know still counts in the total.
  if (victim_tenant < 0 || static_cast<std::size_t>(victim_tenant) >= ids_.size()) return;
  ++counts_[static_cast<std::size_t>(victim_tenant)];
}

void IsolationLog::Record(std::string_view victim_tenant_id) {
  auto it = index_.find(std::string(victim_tenant_id));
  Record(it == index_.end() ? -1 : it->second);
}

std::uint64_t IsolationLog::of(int tenant) const {
  if (tenant < 0 || static_cast<std::size_t>(tenant) >= ids_.size()) return 0;
  return counts_[static_cast<std::size_t>(tenant)].load();
}

}  // namespace crmsync::sim

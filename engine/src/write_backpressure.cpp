#include "write_backpressure.hpp"

#include <utility>

namespace crmsync::engine {

WriteBackpressure::WriteBackpressure(std::size_t tenants, std::size_t record_limit, std::size_t page_limit)
    : record_limit_(record_limit), page_limit_(page_limit), tenants_(tenants) {}

bool WriteBackpressure::HoldIfFull(std::size_t tenant, HeldPage& page, const PagesUpstream& pages) {
  std::lock_guard lock(mutex_);
  Tenant& t = tenants_.at(tenant);
  if (!Full(t, pages)) return false;
  t.held.push_back(std::move(page));
  return true;
}

std::vector<HeldPage> WriteBackpressure::Update(std::size_t tenant, std::size_t waiting, bool stalled,
                                                const PagesUpstream& pages) {
  std::vector<HeldPage> released;
  std::lock_guard lock(mutex_);
  Tenant& t = tenants_.at(tenant);
  t.waiting = waiting;
  t.stalled = stalled;
  if (Full(t, pages) || t.held.empty()) return released;
  released.reserve(t.held.size());
  for (auto& page : t.held) released.push_back(std::move(page));
  t.held.clear();
  return released;
}

std::vector<HeldPage> WriteBackpressure::ReleaseAll() {
  std::vector<HeldPage> released;
  std::lock_guard lock(mutex_);
  for (auto& t : tenants_) {
    for (auto& page : t.held) released.push_back(std::move(page));
    t.held.clear();
  }
  return released;
}

std::size_t WriteBackpressure::held() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& t : tenants_) n += t.held.size();
  return n;
}

}  // namespace crmsync::engine

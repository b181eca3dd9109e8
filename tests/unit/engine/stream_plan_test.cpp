#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "stream_plan.hpp"

using namespace crmsync::engine;

namespace {

// One tenant's streams as PlanStreams lists them: user by user, each user's kinds in order.
std::vector<PlannedStream> TenantStreams(std::uint32_t tenant, std::vector<std::uint32_t> users, std::uint16_t kinds) {
  std::vector<PlannedStream> out;
  for (std::uint32_t user : users) {
    for (std::uint16_t k = 0; k < kinds; ++k) out.push_back(PlannedStream{tenant, user, k, false});
  }
  return out;
}

}  // namespace

TEST_CASE("tenants' streams are launched round-robin, each tenant's in its own order", "[stream_plan]") {
  // Tenant 0: users 0 and 2 (user 1 not selected), two kinds; tenant 1: no
  // streams (not ready); tenant 2: user 5, one kind; tenant 3: users 0..2, one kind.
  std::vector<std::vector<PlannedStream>> per_tenant = {TenantStreams(0, {0, 2}, 2), {}, TenantStreams(2, {5}, 1),
                                                        TenantStreams(3, {0, 1, 2}, 1)};
  const std::vector<PlannedStream> expected = {
      {0, 0, 0, false}, {2, 5, 0, false}, {3, 0, 0, false},   // every tenant's first stream
      {0, 0, 1, false}, {3, 1, 0, false},                     // then every tenant's second
      {0, 2, 0, false}, {3, 2, 0, false},                     // third
      {0, 2, 1, false},                                       // the longest tenant's rest
  };
  CHECK(InterleaveTenants(per_tenant) == expected);
}

TEST_CASE("the plan keeps every stream exactly once", "[stream_plan]") {
  std::vector<std::vector<PlannedStream>> per_tenant;
  std::size_t total = 0;
  for (std::uint32_t t = 0; t < 5; ++t) {
    std::vector<std::uint32_t> users;
    for (std::uint32_t u = 0; u < 10 + 7 * t; ++u) users.push_back(u);
    per_tenant.push_back(TenantStreams(t, users, 2));
    total += per_tenant.back().size();
  }
  const auto plan = InterleaveTenants(per_tenant);
  REQUIRE(plan.size() == total);
  // Each tenant's streams appear in the order the tenant listed them.
  std::vector<std::size_t> next(per_tenant.size(), 0);
  for (const PlannedStream& s : plan) {
    REQUIRE(s.tenant < per_tenant.size());
    REQUIRE(next[s.tenant] < per_tenant[s.tenant].size());
    CHECK(s == per_tenant[s.tenant][next[s.tenant]]);
    ++next[s.tenant];
  }
  for (std::size_t t = 0; t < per_tenant.size(); ++t) CHECK(next[t] == per_tenant[t].size());
}

TEST_CASE("no tenant, or tenants without streams, plan nothing", "[stream_plan]") {
  CHECK(InterleaveTenants({}).empty());
  CHECK(InterleaveTenants({{}, {}}).empty());
}

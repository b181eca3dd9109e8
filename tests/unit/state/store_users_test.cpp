// Users, tenant connection states and replay nonces in the state store.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using testing::OpenStore;
using testing::TempDir;

UserRecord User(std::string status, std::string primary) {
  UserRecord u;
  u.status = std::move(status);
  u.reason = u.status == "active" ? "" : "invalid_grant: expired access/refresh token";
  u.primary = std::move(primary);
  u.aliases = {u.primary, "alias@other.example"};
  u.salesforce_user_id = "005000000000001AAA";
  u.source = "directory";
  u.status_since_unix_ms = 1'700'000'000'000;
  u.last_success_unix_ms = 1'700'000'100'000;
  u.captured = 42;
  u.activated = true;
  return u;
}

TEST_CASE("state: users round trip per tenant, never mixing tenants", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE_OK(store->PutUsers("t1", {{"u1", User("active", "a@t1.example")}, {"u2", User("suspended", "b@t1.example")}}));
  REQUIRE_OK(store->PutUsers("t10", {{"u1", User("pending", "c@t10.example")}}));
  REQUIRE_OK(store->PutTenantState("t1", TenantState{{"connected", "", 0, 5}, {"disconnected", "invalid_grant", 7, 3}}));

  auto listed = store->ListUsers("t1");
  REQUIRE_OK(listed);
  REQUIRE(listed.value().size() == 2);   // the tenant state is not a user
  CHECK(listed.value()[0].first == "u1");
  const UserRecord& b = listed.value()[1].second;
  CHECK(b.status == "suspended");
  CHECK(b.reason == "invalid_grant: expired access/refresh token");
  CHECK(b.aliases == std::vector<std::string>{"b@t1.example", "alias@other.example"});
  CHECK(b.captured == 42);
  CHECK(b.activated);
  CHECK(b.last_success_unix_ms == 1'700'000'100'000);

  auto other = store->GetUser("t10", "u1");
  REQUIRE_OK(other);
  REQUIRE(other.value());
  CHECK(other.value()->status == "pending");
  auto missing = store->GetUser("t1", "nobody");
  REQUIRE_OK(missing);
  CHECK_FALSE(missing.value());

  auto state = store->GetTenantState("t1");
  REQUIRE_OK(state);
  CHECK(state.value().crm.status == "disconnected");
  CHECK(state.value().crm.last_error == "invalid_grant");
  CHECK(state.value().crm.last_error_unix_ms == 7);
  CHECK(state.value().mailbox.last_success_unix_ms == 5);
  auto never = store->GetTenantState("t10");
  REQUIRE_OK(never);
  CHECK(never.value().crm.status.empty());

  REQUIRE_OK(store->DeleteUser("t1", "u1"));
  listed = store->ListUsers("t1");
  REQUIRE_OK(listed);
  REQUIRE(listed.value().size() == 1);
  CHECK(listed.value()[0].first == "u2");
  CHECK_FALSE(store->PutUsers("t1", {{"", User("active", "x@t1.example")}}).ok());
}

TEST_CASE("state: users are visited one at a time in key order, and a visitor's error stops the scan", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE_OK(store->PutUsers("t1", {{"u2", User("suspended", "b@t1.example")}, {"u1", User("active", "a@t1.example")},
                                    {"u3", User("pending", "c@t1.example")}}));
  REQUIRE_OK(store->PutUsers("t10", {{"u9", User("active", "z@t10.example")}}));
  REQUIRE_OK(store->PutTenantState("t1", TenantState{{"connected", "", 0, 5}, {}}));

  std::vector<std::string> seen;
  REQUIRE_OK(store->ForEachUser("t1", [&](const std::string& id, const UserRecord& user) {
    seen.push_back(id + "=" + user.status + ":" + user.primary);
    return Status::Ok();
  }));
  // Only t1's users (not t10's, not the tenant's own state row), as ListUsers lists them.
  CHECK(seen == std::vector<std::string>{"u1=active:a@t1.example", "u2=suspended:b@t1.example",
                                         "u3=pending:c@t1.example"});

  int visited = 0;
  const Status stopped = store->ForEachUser("t1", [&](const std::string& id, const UserRecord&) {
    ++visited;
    return id == "u2" ? Status::Permanent("enough at u2") : Status::Ok();
  });
  CHECK_FALSE(stopped.ok());
  CHECK(stopped.ToString().find("enough at u2") != std::string::npos);
  CHECK(visited == 2);
}

TEST_CASE("state: a nonce is claimed once until it expires, across threads and restarts", "[state]") {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    std::atomic<int> claimed{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          auto r = store->ClaimNonce("t1", "n-1", 2000, 1000);
          if (r.ok() && r.value()) ++claimed;
          if (r.ok() && !r.value()) ++refused;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(claimed == 1);
    CHECK(refused == 8 * 200 - 1);
    auto other_tenant = store->ClaimNonce("t2", "n-1", 2000, 1000);
    REQUIRE_OK(other_tenant);
    CHECK(other_tenant.value());
  }
  auto store = OpenStore(dir);   // a restart keeps the claim
  auto again = store->ClaimNonce("t1", "n-1", 3000, 1500);
  REQUIRE_OK(again);
  CHECK_FALSE(again.value());
  auto purged = store->PurgeNonces(1999);
  REQUIRE_OK(purged);
  CHECK(purged.value() == 0);
  purged = store->PurgeNonces(2001);
  REQUIRE_OK(purged);
  CHECK(purged.value() == 2);
  auto after_expiry = store->ClaimNonce("t1", "n-1", 4000, 2001);
  REQUIRE_OK(after_expiry);
  CHECK(after_expiry.value());
}

}  // namespace
}  // namespace crmsync::state

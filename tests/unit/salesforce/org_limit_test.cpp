// The org's adaptive concurrency: requests beyond the limit wait for a slot,
// REQUEST_LIMIT_EXCEEDED / 429 / 503 halve the limit, successes raise it.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <future>
#include <memory>
#include <vector>

#include "crmsync/salesforce/client.hpp"
#include "capture.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync::testing;
using crmsync::Result;
using crmsync::http::KeyedAimdLimiter;
using crmsync::salesforce::SalesforceClient;
using crmsync::salesforce::SalesforceClientOptions;
using crmsync::salesforce::UpsertOutcome;
using crmsync::salesforce::UpsertRecord;

namespace {

constexpr const char* kInstance = "https://acme.my.salesforce.test";
constexpr const char* kLimitExceeded =
    R"([{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}])";

std::vector<UpsertRecord> OneTask(int i) {
  return {{"key-" + std::to_string(i), {{"Subject", "s", false, false}}}};
}

std::string OneSuccess() { return R"([{"id":"00T1","success":true,"errors":[],"created":true}])"; }

using Outcome = Result<std::vector<UpsertOutcome>>;

}  // namespace

TEST_CASE("Requests beyond the org's limit wait for a free slot", "[salesforce][client][limits]") {
  ScriptedTransport transport;
  FakeTokenProvider session(kInstance);
  SalesforceClientOptions options;
  options.max_in_flight = 2;
  SalesforceClient client(transport, session, options);
  transport.Hold();
  std::vector<std::future<Outcome>> futures;
  for (int i = 0; i < 5; ++i) {
    auto [done, future] = Capture<Outcome>();
    client.Upsert("Task", "Crmsync_Key__c", OneTask(i), done);
    futures.push_back(std::move(future));
  }
  // Two on the wire, three queued behind them.
  CHECK(transport.requests().size() == 2);
  for (int i = 0; i < 5; ++i) transport.Reply(200, OneSuccess());
  transport.Release();
  for (auto& f : futures) {
    REQUIRE(f.wait_for(kWaitLimit) == std::future_status::ready);
    CHECK(f.get().ok());
  }
  CHECK(transport.requests().size() == 5);
}

TEST_CASE("REQUEST_LIMIT_EXCEEDED halves the org's limit and success climbs back", "[salesforce][client][limits]") {
  ScriptedTransport transport;
  FakeTokenProvider session(kInstance);
  SalesforceClientOptions options;
  options.max_in_flight = 8;
  SalesforceClient client(transport, session, options);
  CHECK(client.org_limit() == Approx(8));
  transport.Reply(403, kLimitExceeded);
  transport.Reply(503, R"([{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}])");
  transport.Reply(200, OneSuccess());
  auto [done, future] = Capture<Outcome>();
  client.Upsert("Task", "Crmsync_Key__c", OneTask(0), done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  CHECK(future.get().ok());   // retried through both throttles
  CHECK(client.stats().throttled.load() == 2);
  // 8 -> 4 -> 2, then one success: 2 + 1/(8 * 2).
  CHECK(client.org_limit() == Approx(2.0625));
  for (int i = 0; i < 300; ++i) transport.Reply(200, OneSuccess());
  for (int i = 0; i < 300; ++i) {
    auto [d, f] = Capture<Outcome>();
    client.Upsert("Task", "Crmsync_Key__c", OneTask(i + 1), d);
    REQUIRE(f.wait_for(kWaitLimit) == std::future_status::ready);
  }
  CHECK(client.org_limit() == Approx(8));   // climbed back to the ceiling, never above
}

TEST_CASE("Clients of one org share its limiter", "[salesforce][client][limits]") {
  ScriptedTransport transport;
  FakeTokenProvider session(kInstance);
  auto shared = std::make_shared<KeyedAimdLimiter>(crmsync::http::AimdOptions{1, 1, 1});
  SalesforceClientOptions options;
  options.org_limiter = shared;
  options.org_key = "tenant-a";
  SalesforceClient alice(transport, session, options);
  SalesforceClient bob(transport, session, options);
  transport.Hold();
  auto [done_a, future_a] = Capture<Outcome>();
  auto [done_b, future_b] = Capture<Outcome>();
  alice.Upsert("Task", "Crmsync_Key__c", OneTask(1), done_a);
  bob.Upsert("Task", "Crmsync_Key__c", OneTask(2), done_b);
  CHECK(transport.requests().size() == 1);   // bob waits for alice's slot
  CHECK(shared->in_flight("tenant-a") == 1);
  transport.Reply(200, OneSuccess());
  transport.Reply(200, OneSuccess());
  transport.Release();
  REQUIRE(future_a.wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(future_b.wait_for(kWaitLimit) == std::future_status::ready);
  CHECK(transport.requests().size() == 2);
  CHECK(shared->in_flight("tenant-a") == 0);
}

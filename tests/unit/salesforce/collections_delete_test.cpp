// SalesforceClient::Delete: sObject Collections DELETE of record ids.
#include <catch2/catch.hpp>

#include "capture.hpp"
#include "crmsync/salesforce/client.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync::testing;
using crmsync::Result;
using crmsync::StatusCode;
using crmsync::salesforce::SalesforceClient;
using crmsync::salesforce::SalesforceClientOptions;
using crmsync::salesforce::UpsertOutcome;

namespace {

constexpr const char* kInstance = "https://acme.my.salesforce.test";

Result<std::vector<UpsertOutcome>> Delete(SalesforceClient& client, std::vector<std::string> ids) {
  auto [done, future] = Capture<Result<std::vector<UpsertOutcome>>>();
  client.Delete(std::move(ids), done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("Delete sends the ids in one DELETE and returns one outcome per id", "[salesforce][client][delete]") {
  ScriptedTransport transport(Script({Reply(
      200, R"([{"id":"0Ho000000000001AAA","success":true,"errors":[]},)"
           R"({"success":false,"errors":[{"statusCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]}])")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, SalesforceClientOptions{});
  auto outcomes = Delete(client, {"0Ho000000000001AAA", "0Ho000000000002AAA"});
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 2);
  CHECK(outcomes.value()[0].success);
  CHECK_FALSE(outcomes.value()[1].success);
  CHECK(outcomes.value()[1].error_code == "ENTITY_IS_DELETED");
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "DELETE");
  CHECK(requests[0].url == std::string(kInstance) + "/services/data/v" + SalesforceClientOptions{}.api_version +
                               "/composite/sobjects?ids=0Ho000000000001AAA,0Ho000000000002AAA&allOrNone=false");
  CHECK(requests[0].body.empty());
}

TEST_CASE("Delete: nothing to delete sends nothing, more than 200 ids is refused", "[salesforce][client][delete]") {
  ScriptedTransport transport(Script(std::vector<crmsync::http::Response>{}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, SalesforceClientOptions{});
  auto none = Delete(client, {});
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto too_many = Delete(client, std::vector<std::string>(201, "0Ho000000000001AAA"));
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().code() == StatusCode::kInvalidArgument);
  CHECK(transport.requests().empty());
}

TEST_CASE("Delete: a malformed answer is an error, not a success", "[salesforce][client][delete]") {
  ScriptedTransport transport(Script({Reply(200, "[{\"id\":")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, SalesforceClientOptions{});
  auto outcome = Delete(client, {"0Ho000000000001AAA"});
  CHECK_FALSE(outcome.ok());
}

#include <catch2/catch.hpp>

#include <thread>
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <string_view>

#include "crmsync/salesforce/client.hpp"
#include "capture.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"
#include "test_data.hpp"

using namespace std::chrono_literals;
using namespace crmsync::testing;  // test doubles of tests/support
using crmsync::Result;
using crmsync::StatusCode;
using crmsync::http::Request;
using crmsync::http::Response;
using crmsync::http::TransportError;
using crmsync::salesforce::BuildUpsertBody;
using crmsync::salesforce::EmailMatch;
using crmsync::salesforce::Field;
using crmsync::salesforce::SalesforceClient;
using crmsync::salesforce::SalesforceClientOptions;
using crmsync::salesforce::UpsertOutcome;
using crmsync::salesforce::UpsertRecord;

namespace {

constexpr const char* kInstance = "https://acme.my.salesforce.test";
constexpr const char* kUpsertUrl =
    "https://acme.my.salesforce.test/services/data/v60.0/composite/sobjects/Task/Crmsync_Key__c";

SalesforceClientOptions Options(int max_attempts = 6) {
  SalesforceClientOptions options;
  options.max_attempts = max_attempts;
  return options;
}

std::vector<UpsertRecord> Tasks(int count) {
  std::vector<UpsertRecord> records;
  for (int i = 0; i < count; ++i) {
    records.push_back({"key-" + std::to_string(i),
                       {{"Subject", "Subject " + std::to_string(i), false, false},
                        {"TaskSubtype", "Email", false, true}}});
  }
  return records;
}

std::string Successes(int count, bool created = true) {
  std::string body = "[";
  for (int i = 0; i < count; ++i) {
    body += fmt::format(R"({}{{"id":"00T{}","success":true,"errors":[],"created":{}}})",
                        i ? "," : "", i, created);
  }
  return body + "]";
}

Result<std::vector<UpsertOutcome>> Upsert(SalesforceClient& client, std::vector<UpsertRecord> records) {
  auto [done, future] = Capture<Result<std::vector<UpsertOutcome>>>();
  client.Upsert("Task", "Crmsync_Key__c", std::move(records), done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  return future.get();
}

std::string QueryOf(const Request& request) {
  const std::size_t q = request.url.find("?q=");
  if (q == std::string::npos) return {};
  return UrlDecode(std::string_view(request.url).substr(q + 3));
}

}  // namespace

TEST_CASE("Upsert PATCHes the collection and returns outcomes", "[salesforce][client]") {
  ScriptedTransport transport(Script({Reply(200, Successes(2))}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto outcomes = Upsert(client, Tasks(2));
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 2);
  CHECK(outcomes.value()[1].id == "00T1");
  CHECK(outcomes.value()[1].created);

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "PATCH");
  CHECK(requests[0].url == kUpsertUrl);
  CHECK(requests[0].kind == "sf.upsert");
  CHECK(HeaderOf(requests[0], "Authorization") == "Bearer token-1");
  CHECK(HeaderOf(requests[0], "Content-Type") == "application/json");
  CHECK(HeaderOf(requests[0], "Accept") == "application/json");
  CHECK(requests[0].body == BuildUpsertBody("Task", "Crmsync_Key__c", Tasks(2)));
  CHECK(client.stats().upsert_requests == 1);
}

TEST_CASE("401 INVALID_SESSION_ID refreshes the session and retries", "[salesforce][client]") {
  ScriptedTransport transport(Script(
      {Reply(401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"),
       Reply(200, Successes(1))}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto outcomes = Upsert(client, Tasks(1));
  REQUIRE(outcomes.ok());
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(HeaderOf(requests[1], "Authorization") == "Bearer token-2");
  CHECK(session.invalidations() == 1);
}

TEST_CASE("a second 401 is kUnauthorized", "[salesforce][client]") {
  ScriptedTransport transport(Script(
      {Reply(401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Upsert(client, Tasks(1));
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.status().code() == StatusCode::kUnauthorized);
  CHECK_THAT(outcomes.status().message(), Catch::Contains("INVALID_SESSION_ID"));
  CHECK(transport.requests().size() == 2);
}

TEST_CASE("create-only field refused on update: re-sent without it, merged in order",
          "[salesforce][client]") {
  const std::string first_reply =
      R"([{"id":"00T0","success":true,"errors":[],"created":true},)"
      R"({"success":false,"errors":[{"statusCode":"INVALID_FIELD_FOR_INSERT_UPDATE","message":"Unable to create/update fields: TaskSubtype.","fields":["TaskSubtype"]}]},)"
      R"({"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Subject]","fields":["Subject"]}]},)"
      R"({"success":false,"errors":[{"statusCode":"INVALID_FIELD_FOR_INSERT_UPDATE","message":"Unable to create/update fields: TaskSubtype.","fields":["TaskSubtype"]}]}])";
  const std::string second_reply =
      R"([{"id":"00T1","success":true,"errors":[],"created":false},)"
      R"({"id":"00T3","success":true,"errors":[],"created":false}])";
  ScriptedTransport transport(Script({Reply(200, first_reply), Reply(200, second_reply)}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto outcomes = Upsert(client, Tasks(4));
  REQUIRE(outcomes.ok());
  const auto& list = outcomes.value();
  REQUIRE(list.size() == 4);
  CHECK((list[0].success && list[0].id == "00T0" && list[0].created));
  CHECK((list[1].success && list[1].id == "00T1" && !list[1].created));
  CHECK((!list[2].success && list[2].error_code == "REQUIRED_FIELD_MISSING"));
  CHECK((list[3].success && list[3].id == "00T3"));

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  const auto all = Tasks(4);
  const std::vector<UpsertRecord> resent = {all[1], all[3]};
  CHECK(requests[1].body == BuildUpsertBody("Task", "Crmsync_Key__c", resent, false));
  CHECK(requests[1].body.find("TaskSubtype") == std::string::npos);
  CHECK(requests[1].body.find("key-1") != std::string::npos);
}

TEST_CASE("more than 200 records is kInvalidArgument without a request", "[salesforce][client]") {
  ScriptedTransport transport(Script({Reply(200, "[]")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Upsert(client, Tasks(201));
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.status().code() == StatusCode::kInvalidArgument);
  CHECK(transport.requests().empty());
}

TEST_CASE("400 EXCEEDED_ID_LIMIT is kPermanent", "[salesforce][client]") {
  ScriptedTransport transport(Script({Reply(
      400, R"([{"message":"record limit reached. cannot submit more than 200 records into this call","errorCode":"EXCEEDED_ID_LIMIT"}])")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Upsert(client, Tasks(3));
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.status().code() == StatusCode::kPermanent);
  CHECK_THAT(outcomes.status().message(), Catch::StartsWith("Salesforce 400 EXCEEDED_ID_LIMIT"));
  CHECK(transport.requests().size() == 1);
}

TEST_CASE("REQUEST_LIMIT_EXCEEDED backs off, then kThrottled", "[salesforce][client]") {
  ScriptedTransport transport(Script(
      {Reply(403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options(3));
  auto outcomes = Upsert(client, Tasks(1));
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.status().code() == StatusCode::kThrottled);
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].delay <= 500ms);
  CHECK(requests[2].delay <= 1000ms);
  CHECK(client.stats().retries == 2);
}

TEST_CASE("503 and dropped connections are retried", "[salesforce][client]") {
  ScriptedTransport transport(Script({Reply(503, "Service Unavailable"),
                                      TransportFailure(TransportError::kTimeout, "timeout"),
                                      Reply(200, Successes(1))}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  REQUIRE(Upsert(client, Tasks(1)).ok());
  CHECK(transport.requests().size() == 3);
}

TEST_CASE("other 403s are permanent and TLS failures are not retried", "[salesforce][client]") {
  FakeTokenProvider session(kInstance);
  SECTION("403 INSUFFICIENT_ACCESS") {
    ScriptedTransport transport(Script(
        {Reply(403, R"([{"message":"no access","errorCode":"INSUFFICIENT_ACCESS"}])")}));
    SalesforceClient client(transport, session, Options());
    CHECK(Upsert(client, Tasks(1)).status().code() == StatusCode::kPermanent);
    CHECK(transport.requests().size() == 1);
  }
  SECTION("TLS") {
    ScriptedTransport transport(
        Script({TransportFailure(TransportError::kTls, "certificate verify failed for acme")}));
    SalesforceClient client(transport, session, Options());
    CHECK(Upsert(client, Tasks(1)).status().code() == StatusCode::kTls);
    CHECK(transport.requests().size() == 1);
  }
}

TEST_CASE("QueryByEmail follows nextRecordsUrl", "[salesforce][client]") {
  const std::string page1 = crmsync::testing::ReadTestData("salesforce/query_page_1.json");
  const std::string page2 = crmsync::testing::ReadTestData("salesforce/query_page_2.json");
  ScriptedTransport transport([&](const Request& request) {
    if (request.url.find("/query/01gRO0000016PIAYA2-2000") != std::string::npos) {
      return Reply(200, page2);
    }
    return Reply(200, page1);
  });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto matches = client.QueryByEmailBlocking(
      "Contact", {"Bob@Fabrikam.com", "carol@fabrikam.com", "o'brien@fabrikam.com"});
  REQUIRE(matches.ok());
  REQUIRE(matches->size() == 3);
  CHECK(matches.value()[0].email == "bob@fabrikam.com");
  CHECK(matches.value()[2].id == "0035e00000CCCCCCC3");

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].kind == "sf.query");
  CHECK(requests[0].url.rfind(std::string(kInstance) + "/services/data/v60.0/query?q=", 0) == 0);
  CHECK(QueryOf(requests[0]) ==
        R"(SELECT Id, Email FROM Contact WHERE Email IN ('bob@fabrikam.com','carol@fabrikam.com','o\'brien@fabrikam.com'))");
  CHECK(requests[1].url ==
        std::string(kInstance) + "/services/data/v60.0/query/01gRO0000016PIAYA2-2000");
  CHECK(client.stats().query_requests == 2);
}

TEST_CASE("QueryByEmail runs chunks concurrently and gathers every match", "[salesforce][client]") {
  ScriptedTransport transport([](const Request& request) {
    // One match per chunk: the first value of its IN list.
    const std::string soql = QueryOf(request);
    const std::size_t start = soql.find("('") + 2;
    const std::string email = soql.substr(start, soql.find('\'', start) - start);
    return Reply(200, fmt::format(R"({{"done":true,"records":[{{"Id":"003-{}","Email":"{}"}}]}})",
                                  email, email));
  });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  std::vector<std::string> emails;
  for (int i = 0; i < 1200; ++i) emails.push_back("p" + std::to_string(i) + "@e.co");
  auto [done, future] = Capture<Result<std::vector<EmailMatch>>>();
  client.QueryByEmail("Contact", emails, done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  auto matches = future.get();
  REQUIRE(matches.ok());
  CHECK(matches->size() == transport.requests().size());
  CHECK(transport.requests().size() >= 3);
  for (const Request& request : transport.requests()) CHECK(request.url.size() < 8000);
}

TEST_CASE("QueryByEmail reports the first error once", "[salesforce][client]") {
  ScriptedTransport transport(Script(
      {Reply(400, R"([{"message":"unexpected token","errorCode":"MALFORMED_QUERY"}])")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  std::vector<std::string> emails;
  for (int i = 0; i < 1200; ++i) emails.push_back("p" + std::to_string(i) + "@e.co");

  std::atomic<int> calls{0};
  auto [done, future] = Capture<Result<std::vector<EmailMatch>>>();
  client.QueryByEmail("Contact", emails, [&calls, done = done](Result<std::vector<EmailMatch>> r) {
    if (calls.fetch_add(1) == 0) done(std::move(r));
  });
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  auto matches = future.get();
  REQUIRE_FALSE(matches.ok());
  CHECK(matches.status().code() == StatusCode::kPermanent);
  CHECK_THAT(matches.status().message(), Catch::Contains("MALFORMED_QUERY"));
  // 1,200 addresses make three chunks (500 per query). The first failure
  // completes the call while other chunks may still be in flight: wait until
  // every chunk has been answered, then there must still be one call.
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (transport.requests().size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  CHECK(transport.requests().size() >= 3);
  CHECK(calls.load() == 1);
}

TEST_CASE("QueryByEmail with no emails answers at once", "[salesforce][client]") {
  ScriptedTransport transport(Script({Reply(500, "")}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto matches = client.QueryByEmailBlocking("Contact", {});
  REQUIRE(matches.ok());
  CHECK(matches->empty());
  CHECK(transport.requests().empty());
}

TEST_CASE("a retried upsert re-sends the one body it built, the caller's records are read, not taken",
          "[salesforce][client]") {
  ScriptedTransport transport(Script(
      {Reply(401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"),
       Reply(200, Successes(2))}));
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto records = std::make_shared<std::vector<UpsertRecord>>(Tasks(2));
  const char* first_key = (*records)[0].external_id.data();
  auto [done, future] = Capture<Result<std::vector<UpsertOutcome>>>();
  client.Upsert("Task", "Crmsync_Key__c", crmsync::salesforce::SharedRecords(records), done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(future.get().ok());

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  REQUIRE(requests[0].shared_body != nullptr);
  CHECK(requests[0].shared_body.get() == requests[1].shared_body.get());
  CHECK(requests[1].payload() == BuildUpsertBody("Task", "Crmsync_Key__c", Tasks(2)));
  // The records stay the caller's, untouched, and the client let go of them.
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].external_id.data() == first_key);
  CHECK((*records)[1].external_id == "key-1");
}

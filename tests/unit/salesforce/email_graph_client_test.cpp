#include <catch2/catch.hpp>

#include <simdjson.h>

#include <string>
#include <vector>

#include "crmsync/salesforce/client.hpp"
#include "capture.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync::testing;
using crmsync::Result;
using crmsync::StatusCode;
using crmsync::http::Request;
using crmsync::salesforce::ChildRecord;
using crmsync::salesforce::SalesforceClient;
using crmsync::salesforce::SalesforceClientOptions;
using crmsync::salesforce::UpsertOutcome;
using crmsync::salesforce::UpsertRecord;

namespace {

constexpr const char* kInstance = "https://acme.my.salesforce.test";
constexpr const char* kGraphUrl = "https://acme.my.salesforce.test/services/data/v60.0/composite/graph";

SalesforceClientOptions Options() {
  SalesforceClientOptions options;
  options.max_attempts = 3;
  return options;
}

std::vector<UpsertRecord> Emails(int count) {
  std::vector<UpsertRecord> records;
  for (int i = 0; i < count; ++i) {
    UpsertRecord r;
    r.external_id = "key-" + std::to_string(i);
    r.fields = {{"Subject", "S" + std::to_string(i), false, true},
                {"Status", "3", false, true}};
    ChildRecord child{"EmailMessageRelation", r.external_id + "|FromAddress|a@b.example",
                      "EmailMessageId", {{"RelationType", "FromAddress", false, true}}};
    r.children.push_back(child);
    records.push_back(std::move(r));
  }
  return records;
}

// A 200 answer for the graphs of `request`: every graph succeeds, except the
// graph ids listed in `refuse`, which fail with `code` on their parent.
std::string Answer(const Request& request, const std::vector<std::string>& refuse = {},
                   const std::string& code = "INVALID_FIELD_FOR_INSERT_UPDATE") {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(request.body).value();
  std::string out = "{\"graphs\":[";
  bool first = true;
  simdjson::dom::array graphs = root["graphs"].get_array().value();
  for (simdjson::dom::element graph : graphs) {
    std::string id(graph["graphId"].get_string().value());
    if (!first) out += ',';
    first = false;
    bool fail = std::find(refuse.begin(), refuse.end(), id) != refuse.end();
    out += "{\"graphId\":\"" + id + "\",\"graphResponse\":{\"compositeResponse\":[";
    if (fail) {
      out += "{\"body\":[{\"errorCode\":\"" + code +
             "\",\"message\":\"Unable to create/update fields: Subject.\"}],\"httpHeaders\":{},"
             "\"httpStatusCode\":400,\"referenceId\":\"parent\"}";
    } else {
      out += "{\"body\":{\"id\":\"02s" + id + "\",\"success\":true,\"errors\":[]},\"httpHeaders\":{},"
             "\"httpStatusCode\":201,\"referenceId\":\"parent\"}";
    }
    out += "]},\"isSuccessful\":" + std::string(fail ? "false" : "true") + "}";
  }
  return out + "]}";
}

Result<std::vector<UpsertOutcome>> Send(SalesforceClient& client, std::vector<UpsertRecord> records) {
  auto [done, future] = Capture<Result<std::vector<UpsertOutcome>>>();
  client.UpsertEmailGraphs("EmailMessage", "Crmsync_Key__c", std::move(records), done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  return future.get();
}

std::size_t GraphCount(const Request& request) {
  simdjson::dom::parser parser;
  return parser.parse(request.body).value()["graphs"].get_array().value().size();
}

}  // namespace

TEST_CASE("UpsertEmailGraphs POSTs composite graphs and returns outcomes in order",
          "[salesforce][graph][client]") {
  ScriptedTransport transport([](const Request& r) { return Reply(200, Answer(r)); });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto outcomes = Send(client, Emails(2));
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 2);
  CHECK(outcomes.value()[0].id == "02sg0");
  CHECK(outcomes.value()[1].id == "02sg1");
  CHECK(outcomes.value()[1].created);
  auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].url == kGraphUrl);
  CHECK(requests[0].kind == "sf.upsert");
  CHECK(HeaderOf(requests[0], "Authorization") == "Bearer token-1");
  CHECK(requests[0].body.find("@{parent.id}") != std::string::npos);
}

TEST_CASE("UpsertEmailGraphs splits 200 emails into payloads of at most 75 graphs",
          "[salesforce][graph][client]") {
  ScriptedTransport transport([](const Request& r) { return Reply(200, Answer(r)); });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto outcomes = Send(client, Emails(200));
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 200);
  for (const UpsertOutcome& o : outcomes.value()) CHECK(o.success);
  auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  std::size_t graphs = 0;
  for (const Request& r : requests) {
    CHECK(GraphCount(r) <= 75);
    graphs += GraphCount(r);
  }
  CHECK(graphs == 200);
}

TEST_CASE("UpsertEmailGraphs: an existing email is re-sent as its parent alone",
          "[salesforce][graph][client]") {
  int call = 0;
  ScriptedTransport transport([&call](const Request& r) {
    ++call;
    return Reply(200, call == 1 ? Answer(r, {"g1"}) : Answer(r));
  });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());

  auto outcomes = Send(client, Emails(3));
  REQUIRE(outcomes.ok());
  for (const UpsertOutcome& o : outcomes.value()) CHECK(o.success);
  auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  // The re-send: one graph, one node, no create-only field, no relation.
  CHECK(GraphCount(requests[1]) == 1);
  CHECK(requests[1].body.find("key-1") != std::string::npos);
  CHECK(requests[1].body.find("Subject") == std::string::npos);
  CHECK(requests[1].body.find("EmailMessageRelation") == std::string::npos);
}

TEST_CASE("UpsertEmailGraphs: other per-graph errors are returned, not re-sent",
          "[salesforce][graph][client]") {
  ScriptedTransport transport(
      [](const Request& r) { return Reply(200, Answer(r, {"g0"}, "INVALID_CROSS_REFERENCE_KEY")); });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Send(client, Emails(2));
  REQUIRE(outcomes.ok());
  CHECK_FALSE(outcomes.value()[0].success);
  CHECK(outcomes.value()[0].error_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(outcomes.value()[1].success);
  CHECK(transport.requests().size() == 1);
}

TEST_CASE("UpsertEmailGraphs refreshes the session on 401 and retries 503",
          "[salesforce][graph][client]") {
  int call = 0;
  ScriptedTransport transport([&call](const Request& r) {
    ++call;
    if (call == 1) {
      return Reply(401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
    }
    if (call == 2) return Reply(503, R"([{"message":"busy","errorCode":"SERVER_UNAVAILABLE"}])");
    return Reply(200, Answer(r));
  });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Send(client, Emails(1));
  REQUIRE(outcomes.ok());
  CHECK(outcomes.value()[0].success);
  auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  CHECK(HeaderOf(requests[1], "Authorization") == "Bearer token-2");
  CHECK(session.invalidations() == 1);
}

TEST_CASE("UpsertEmailGraphs: malformed answer and too many records are errors",
          "[salesforce][graph][client]") {
  ScriptedTransport transport([](const Request&) { return Reply(200, "{\"graphs\":[}"); });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Send(client, Emails(1));
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.status().code() == StatusCode::kCorruption);

  auto too_many = Send(client, Emails(201));
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("UpsertEmailGraphs: graphs halted after 14 failures get another payload",
          "[salesforce][graph][client]") {
  int call = 0;
  ScriptedTransport transport([&call](const Request& r) {
    ++call;
    if (call > 1) return Reply(200, Answer(r));
    std::vector<std::string> failing;
    for (int g = 0; g < 14; ++g) failing.push_back("g" + std::to_string(g));
    std::string body = Answer(r, failing, "INVALID_CROSS_REFERENCE_KEY");
    // Graphs g14 and g15 were not run.
    for (const char* id : {"g14", "g15"}) {
      const std::string ok = std::string("{\"graphId\":\"") + id + "\",\"graphResponse\":{\"compositeResponse\":[{\"body\":{\"id\":\"02s" + id +
                             "\",\"success\":true,\"errors\":[]},\"httpHeaders\":{},\"httpStatusCode\":201,\"referenceId\":\"parent\"}]},\"isSuccessful\":true}";
      const std::string halted = std::string("{\"graphId\":\"") + id +
                                 "\",\"graphResponse\":{\"compositeResponse\":[{\"body\":[{\"errorCode\":\"PROCESSING_HALTED\",\"message\":\"halted\"}],\"httpHeaders\":{},\"httpStatusCode\":400,\"referenceId\":\"parent\"}]},\"isSuccessful\":false}";
      body.replace(body.find(ok), ok.size(), halted);
    }
    return Reply(200, body);
  });
  FakeTokenProvider session(kInstance);
  SalesforceClient client(transport, session, Options());
  auto outcomes = Send(client, Emails(16));
  REQUIRE(outcomes.ok());
  for (int i = 0; i < 14; ++i) CHECK(outcomes.value()[static_cast<std::size_t>(i)].error_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(outcomes.value()[14].success);
  CHECK(outcomes.value()[15].success);
  auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(GraphCount(requests[1]) == 2);
  CHECK(requests[1].body.find("EmailMessageRelation") != std::string::npos);   // full graphs again
}

#include <catch2/catch.hpp>

#include <simdjson.h>

#include <numeric>
#include <string>
#include <vector>

#include "crmsync/salesforce/email_graph.hpp"

using crmsync::StatusCode;
using crmsync::salesforce::BuildGraphBody;
using crmsync::salesforce::ChildRecord;
using crmsync::salesforce::Field;
using crmsync::salesforce::GraphTarget;
using crmsync::salesforce::kMaxGraphsPerPayload;
using crmsync::salesforce::kMaxNodesPerPayload;
using crmsync::salesforce::ParseGraphResponse;
using crmsync::salesforce::PlanGraphPayloads;
using crmsync::salesforce::UpsertRecord;

namespace {

const GraphTarget kTarget{"60.0", "EmailMessage", "Crmsync_Key__c"};

UpsertRecord Email(std::string key, std::size_t relations) {
  UpsertRecord record;
  record.external_id = std::move(key);
  record.fields = {{"Subject", "Hello \"world\"\n\xC3\xA9", false, true},
                   {"Incoming", "true", false, true, true},
                   {"IsExternallyVisible", "false", false, false, true}};
  for (std::size_t i = 0; i < relations; ++i) {
    ChildRecord child;
    child.sobject = "EmailMessageRelation";
    child.external_id = record.external_id + "|ToAddress|r" + std::to_string(i) + "@x.example";
    child.parent_field = "EmailMessageId";
    child.fields = {{"RelationType", "ToAddress", false, true},
                    {"RelationAddress", "r" + std::to_string(i) + "@x.example", false, true}};
    record.children.push_back(std::move(child));
  }
  return record;
}

std::vector<std::size_t> AllIndices(std::size_t n) {
  std::vector<std::size_t> indices(n);
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

std::string SuccessGraph(std::size_t g, int status, const std::string& id) {
  return "{\"graphId\":\"g" + std::to_string(g) +
         "\",\"graphResponse\":{\"compositeResponse\":[{\"body\":{\"id\":\"" + id +
         "\",\"success\":true,\"errors\":[]},\"httpHeaders\":{},\"httpStatusCode\":" +
         std::to_string(status) +
         ",\"referenceId\":\"parent\"},{\"body\":{\"id\":\"0BM1\",\"success\":true,\"errors\":[]},"
         "\"httpHeaders\":{},\"httpStatusCode\":201,\"referenceId\":\"r1\"}]},\"isSuccessful\":true}";
}

std::string FailedGraph(std::size_t g, const std::string& code) {
  const std::string halted =
      R"([{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back since another operation in the same transaction failed."}])";
  return "{\"graphId\":\"g" + std::to_string(g) + "\",\"graphResponse\":{\"compositeResponse\":[" +
         "{\"body\":" + halted + ",\"httpHeaders\":{},\"httpStatusCode\":400,\"referenceId\":\"parent\"}," +
         "{\"body\":[{\"errorCode\":\"" + code +
         "\",\"message\":\"bad relation\",\"fields\":[\"RelationId\"]}],\"httpHeaders\":{},"
         "\"httpStatusCode\":400,\"referenceId\":\"r1\"}]},\"isSuccessful\":false}";
}

}  // namespace

TEST_CASE("graph body: one graph per email, parent then relations referring to it",
          "[salesforce][graph]") {
  std::vector<UpsertRecord> records = {Email("a@b/c", 2), Email("k2", 0)};
  const std::string body = BuildGraphBody(kTarget, records, AllIndices(2));
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body).value();
  simdjson::dom::array graphs = root["graphs"].get_array().value();
  REQUIRE(graphs.size() == 2);
  simdjson::dom::element first = graphs.at(0).value();
  CHECK(std::string(first["graphId"].get_string().value()) == "g0");
  simdjson::dom::array nodes = first["compositeRequest"].get_array().value();
  REQUIRE(nodes.size() == 3);
  simdjson::dom::element parent = nodes.at(0).value();
  CHECK(std::string(parent["method"].get_string().value()) == "PATCH");
  // The key is percent-encoded, '/' included, so it stays one path segment.
  CHECK(std::string(parent["url"].get_string().value()) ==
        "/services/data/v60.0/sobjects/EmailMessage/Crmsync_Key__c/a%40b%2Fc");
  CHECK(std::string(parent["referenceId"].get_string().value()) == "parent");
  CHECK(std::string(parent["body"]["Subject"].get_string().value()) == "Hello \"world\"\n\xC3\xA9");
  CHECK(parent["body"]["Incoming"].get_bool().value() == true);
  simdjson::dom::element relation = nodes.at(2).value();
  CHECK(std::string(relation["referenceId"].get_string().value()) == "r2");
  CHECK(std::string(relation["body"]["EmailMessageId"].get_string().value()) == "@{parent.id}");
  CHECK(std::string(relation["url"].get_string().value()).rfind(
            "/services/data/v60.0/sobjects/EmailMessageRelation/Crmsync_Key__c/", 0) == 0);
  CHECK(graphs.at(1).value()["compositeRequest"].get_array().value().size() == 1);
}

TEST_CASE("graph body without create-only fields: the parent alone", "[salesforce][graph]") {
  std::vector<UpsertRecord> records = {Email("k1", 3)};
  const std::string body = BuildGraphBody(kTarget, records, AllIndices(1), false);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body).value();
  simdjson::dom::array nodes = root["graphs"].at(0)["compositeRequest"].get_array().value();
  REQUIRE(nodes.size() == 1);
  simdjson::dom::object fields = nodes.at(0).value()["body"].get_object().value();
  CHECK(fields.size() == 1);
  CHECK(fields["IsExternallyVisible"].get_bool().value() == false);
}

TEST_CASE("graph body: invalid UTF-8 still gives valid JSON", "[salesforce][graph]") {
  UpsertRecord record = Email("k", 0);
  record.fields[0].value = std::string("bad \xFF\xC3 end");
  std::vector<UpsertRecord> records = {record};
  const std::string body = BuildGraphBody(kTarget, records, AllIndices(1));
  simdjson::dom::parser parser;
  CHECK(parser.parse(body).error() == simdjson::SUCCESS);
}

TEST_CASE("payload plan respects 75 graphs and 500 nodes", "[salesforce][graph]") {
  SECTION("graph count") {
    std::vector<UpsertRecord> records(200, Email("k", 0));
    auto plan = PlanGraphPayloads(records);
    REQUIRE(plan.payloads.size() == 3);
    CHECK(plan.payloads[0].size() == kMaxGraphsPerPayload);
    CHECK(plan.payloads[1].size() == kMaxGraphsPerPayload);
    CHECK(plan.payloads[2].size() == 50);
    CHECK(plan.payloads[2].back() == 199);
  }
  SECTION("node count") {
    std::vector<UpsertRecord> records(5, Email("k", 149));   // 150 nodes each
    auto plan = PlanGraphPayloads(records);
    REQUIRE(plan.payloads.size() == 2);
    CHECK(plan.payloads[0] == std::vector<std::size_t>{0, 1, 2});
    CHECK(plan.payloads[1] == std::vector<std::size_t>{3, 4});
  }
  SECTION("a record over the node limit is refused, the others go") {
    std::vector<UpsertRecord> records = {Email("a", 1), Email("big", kMaxNodesPerPayload), Email("c", 1)};
    auto plan = PlanGraphPayloads(records);
    CHECK(plan.too_large == std::vector<std::size_t>{1});
    REQUIRE(plan.payloads.size() == 1);
    CHECK(plan.payloads[0] == std::vector<std::size_t>{0, 2});
    // Without children the big one fits.
    CHECK(PlanGraphPayloads(records, false).too_large.empty());
  }
}

TEST_CASE("graph response: outcomes in request order, first real error of a failed graph",
          "[salesforce][graph]") {
  // Graphs answered out of order: matched by graphId.
  const std::string body = "{\"graphs\":[" + FailedGraph(1, "INVALID_CROSS_REFERENCE_KEY") + "," +
                           SuccessGraph(0, 201, "02s0") + "," + SuccessGraph(2, 200, "02s2") + "]}";
  auto outcomes = ParseGraphResponse(body, 3);
  REQUIRE(outcomes.ok());
  const auto& o = outcomes.value();
  CHECK(o[0].success);
  CHECK(o[0].created);
  CHECK(o[0].id == "02s0");
  CHECK_FALSE(o[1].success);
  CHECK(o[1].error_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(o[1].error_message == "bad relation");
  CHECK(o[2].success);
  CHECK_FALSE(o[2].created);
}

TEST_CASE("graph response: a graph halted entirely reports PROCESSING_HALTED", "[salesforce][graph]") {
  const std::string body =
      R"({"graphs":[{"graphId":"g0","graphResponse":{"compositeResponse":[{"body":[{"errorCode":"PROCESSING_HALTED","message":"halted"}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"parent"}]},"isSuccessful":false}]})";
  auto outcomes = ParseGraphResponse(body, 1);
  REQUIRE(outcomes.ok());
  CHECK(outcomes.value()[0].error_code == "PROCESSING_HALTED");
}

TEST_CASE("graph response: malformed answers are kCorruption", "[salesforce][graph]") {
  const std::string good = "{\"graphs\":[" + SuccessGraph(0, 201, "02s0") + "]}";
  REQUIRE(ParseGraphResponse(good, 1).ok());
  const std::vector<std::string> bad = {
      "",
      "not json",
      good.substr(0, good.size() / 2),                                    // truncated
      R"({"graphs":{}})",
      "{\"graphs\":[" + SuccessGraph(0, 201, "02s0") + "," + SuccessGraph(0, 201, "02s0") + "]}",  // twice
      "{\"graphs\":[" + SuccessGraph(7, 201, "02s0") + "]}",             // unknown graphId
      R"({"graphs":[{"graphId":"g0","isSuccessful":true,"graphResponse":{"compositeResponse":[]}}]})",
      R"({"graphs":[{"graphId":"g0","isSuccessful":"yes","graphResponse":{"compositeResponse":[]}}]})",
      std::string("{\"graphs\":[\xFF]}"),
  };
  for (const std::string& body : bad) {
    auto outcomes = ParseGraphResponse(body, 1);
    INFO(body);
    REQUIRE_FALSE(outcomes.ok());
    CHECK(outcomes.status().code() == StatusCode::kCorruption);
  }
  // One graph missing from the answer.
  auto short_answer = ParseGraphResponse(good, 2);
  REQUIRE_FALSE(short_answer.ok());
  CHECK_THAT(short_answer.status().message(), Catch::Contains("1 graph results for 2 graphs"));
}

#include <catch2/catch.hpp>

#include <string>

#include "sim_fixture.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

const std::string kPrefix = "/services/data/v66.0/sobjects/";

std::string EmailNode(const std::string& key, const std::string& fields,
                      const std::string& reference = "parent") {
  return R"({"method":"PATCH","url":")" + kPrefix + "EmailMessage/Crmsync_Key__c/" + UrlEncode(key) +
         R"(","referenceId":")" + reference + R"(","body":{)" + fields + "}}";
}

std::string RelationNode(const std::string& key, const std::string& reference, const std::string& fields) {
  return R"({"method":"PATCH","url":")" + kPrefix + "EmailMessageRelation/Crmsync_Key__c/" +
         UrlEncode(key) + R"(","referenceId":")" + reference + R"(","body":{)" + fields + "}}";
}

std::string Graph(const std::string& id, const std::vector<std::string>& nodes) {
  std::string out = R"({"graphId":")" + id + R"(","compositeRequest":[)";
  for (std::size_t i = 0; i < nodes.size(); ++i) out += (i ? "," : "") + nodes[i];
  return out + "]}";
}

std::string Payload(const std::vector<std::string>& graphs) {
  std::string out = R"({"graphs":[)";
  for (std::size_t i = 0; i < graphs.size(); ++i) out += (i ? "," : "") + graphs[i];
  return out + "]}";
}

const std::string kEmailFields =
    R"("Subject":"Hi","TextBody":"Body","Status":"3","Incoming":false,"MessageDate":"2026-05-01T10:00:00Z")";

class GraphFixture : public SimFixture {
 protected:
  HttpResponse Post(const std::string& body) {
    if (token_.empty()) token_ = Login(org1_);
    HttpRequest r;
    r.method = "POST";
    r.path = "/services/data/v66.0/composite/graph";
    r.headers["authorization"] = "Bearer " + token_;
    r.headers["content-type"] = "application/json";
    r.body = body;
    return sim_.Handle(r);
  }
  std::string EmailWithRelations(const std::string& key, const std::string& graph_id = "g0") {
    return Graph(graph_id,
                 {EmailNode(key, kEmailFields),
                  RelationNode(key + "|FromAddress|user0@org1.example", "r1",
                               R"("EmailMessageId":"@{parent.id}","RelationType":"FromAddress","RelationAddress":"user0@org1.example","RelationId":")" +
                                   org1_.user_ids[0] + "\""),
                  RelationNode(key + "|ToAddress|x@y.example", "r2",
                               R"("EmailMessageId":"@{parent.id}","RelationType":"ToAddress","RelationAddress":"x@y.example")")});
  }
  const std::vector<StoredEmailMessage>& Stored(const std::string& key) {
    snapshot_ = sim_.EmailMessagesByKey();
    static const std::vector<StoredEmailMessage> kNone;
    auto& by_key = snapshot_["tenant-1"];
    auto it = by_key.find(key);
    return it == by_key.end() ? kNone : it->second;
  }

  std::string token_;
  std::map<std::string, std::map<std::string, std::vector<StoredEmailMessage>>> snapshot_;
};

std::string NodeError(simdjson::dom::element graph, std::size_t node) {
  auto body = graph["graphResponse"]["compositeResponse"].at(node)["body"];
  return Str(body.at(0)["errorCode"]);
}

}  // namespace

TEST_CASE_METHOD(GraphFixture, "a graph creates the email and its relations", "[sim][graph]") {
  HttpResponse r = Post(Payload({EmailWithRelations("k1")}));
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  simdjson::dom::element graph = (json->root["graphs"].at(0)).value();
  CHECK(graph["isSuccessful"].get_bool().value());
  simdjson::dom::element nodes = (graph["graphResponse"]["compositeResponse"]).value();
  CHECK(nodes.at(0)["httpStatusCode"].get_int64().value() == 201);
  const std::string email_id = Str(nodes.at(0)["body"]["id"]);
  CHECK(email_id.rfind("02s", 0) == 0);

  const auto& stored = Stored("k1");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].message.id == email_id);
  CHECK(stored[0].message.fields.at("Incoming") == "false");
  REQUIRE(stored[0].relations.size() == 2);
  for (const StoredTask& relation : stored[0].relations) {
    CHECK(relation.fields.at("EmailMessageId") == email_id);
  }
}

TEST_CASE_METHOD(GraphFixture, "a re-send of a sent email: refused fields, then a no-op update",
                 "[sim][graph]") {
  REQUIRE(Post(Payload({EmailWithRelations("k1")})).status == 200);
  auto json = ParseJson(Post(Payload({EmailWithRelations("k1")})).body);
  simdjson::dom::element graph = (json->root["graphs"].at(0)).value();
  CHECK_FALSE(graph["isSuccessful"].get_bool().value());
  CHECK(NodeError(graph, 0) == "INVALID_FIELD_FOR_INSERT_UPDATE");
  CHECK(NodeError(graph, 1) == "PROCESSING_HALTED");

  // The parent alone with no standard field is accepted and changes nothing.
  auto again = ParseJson(Post(Payload({Graph("g0", {EmailNode("K1", R"("IsExternallyVisible":true)")})})).body);
  simdjson::dom::element ok = (again->root["graphs"].at(0)).value();
  CHECK(ok["isSuccessful"].get_bool().value());
  CHECK(ok["graphResponse"]["compositeResponse"].at(0)["httpStatusCode"].get_int64().value() == 200);
  const auto& stored = Stored("k1");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].relations.size() == 2);
  CHECK(stored[0].message.fields.at("Subject") == "Hi");
}

TEST_CASE_METHOD(GraphFixture, "a failing relation rolls back the whole graph only", "[sim][graph]") {
  std::string bad = Graph("bad", {EmailNode("k2", kEmailFields),
                                  RelationNode("k2|To|z", "r1",
                                               R"("EmailMessageId":"@{parent.id}","RelationType":"ToAddress","RelationId":")" +
                                                   sf::MakeSalesforceId("003", 1, 77) + "\"")});
  auto json = ParseJson(Post(Payload({bad, EmailWithRelations("k3", "good")})).body);
  simdjson::dom::element graphs = (json->root["graphs"]).value();
  CHECK_FALSE(graphs.at(0)["isSuccessful"].get_bool().value());
  CHECK(NodeError(graphs.at(0), 0) == "PROCESSING_HALTED");
  CHECK(NodeError(graphs.at(0), 1) == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(graphs.at(1)["isSuccessful"].get_bool().value());
  CHECK(Stored("k2").empty());
  CHECK(Stored("k3").size() == 1);
}

TEST_CASE_METHOD(GraphFixture, "field validation of EmailMessage and EmailMessageRelation",
                 "[sim][graph]") {
  struct Case {
    std::string node;
    std::string code;
  };
  const std::vector<Case> cases = {
      {EmailNode("v1", R"("Status":"9")"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"},
      {EmailNode("v2", R"("Subject":"x")"), "REQUIRED_FIELD_MISSING"},
      {EmailNode("v3", R"("Status":"3","Bogus__c":"x")"), "INVALID_FIELD"},
      {EmailNode("v4", R"("Status":"3","MessageDate":"yesterday")"), "INVALID_TYPE_ON_FIELD_IN_RECORD"},
      {EmailNode("v5", R"("Status":"3","Incoming":"maybe")"), "INVALID_TYPE_ON_FIELD_IN_RECORD"},
      {EmailNode("v6", R"("Status":"3","Subject":")" + std::string(3001, 'a') + "\""), "STRING_TOO_LONG"},
      {EmailNode("v7", R"("Status":3)"), "INVALID_TYPE_ON_FIELD_IN_RECORD"},
      {RelationNode("v8", "parent", R"("RelationType":"ToAddress","RelationAddress":"a@b","EmailMessageId":")" +
                                        sf::MakeSalesforceId("02s", 1, 999) + "\""),
       "INVALID_CROSS_REFERENCE_KEY"},
      {RelationNode("v9", "parent", R"("RelationType":"ToAddress","RelationAddress":"a@b","EmailMessageId":"@{nothing.id}")"),
       "INVALID_REFERENCE"},
      {R"({"method":"POST","url":"/services/data/v66.0/sobjects/EmailMessage","referenceId":"parent","body":{}})",
       "METHOD_NOT_ALLOWED"},
      {R"({"method":"PATCH","url":"/services/data/v66.0/sobjects/Account/Crmsync_Key__c/x","referenceId":"parent","body":{}})",
       "NOT_FOUND"},
  };
  for (const Case& c : cases) {
    INFO(c.node);
    auto json = ParseJson(Post(Payload({Graph("g", {c.node})})).body);
    simdjson::dom::element graph = (json->root["graphs"].at(0)).value();
    CHECK_FALSE(graph["isSuccessful"].get_bool().value());
    CHECK(NodeError(graph, 0) == c.code);
  }
  // A relation needs RelationId or RelationAddress, and a known RelationId.
  auto json = ParseJson(Post(Payload({Graph("g", {EmailNode("v10", kEmailFields),
                                                  RelationNode("v10r", "r1", R"("EmailMessageId":"@{parent.id}","RelationType":"CcAddress")")})})).body);
  CHECK(NodeError(json->root["graphs"].at(0), 1) == "REQUIRED_FIELD_MISSING");
  CHECK(sim_.EmailMessagesByKey()["tenant-1"].empty());
}

TEST_CASE_METHOD(GraphFixture, "payload limits and malformed requests are 400", "[sim][graph]") {
  std::vector<std::string> graphs;
  for (int i = 0; i < 76; ++i) graphs.push_back(Graph("g" + std::to_string(i), {EmailNode("l" + std::to_string(i), kEmailFields)}));
  CHECK(Post(Payload(graphs)).status == 400);

  std::vector<std::string> nodes = {EmailNode("n", kEmailFields)};
  for (int i = 0; i < 500; ++i) {
    nodes.push_back(RelationNode("n" + std::to_string(i), "r" + std::to_string(i),
                                 R"("EmailMessageId":"@{parent.id}","RelationType":"ToAddress","RelationAddress":"a@b")"));
  }
  CHECK(Post(Payload({Graph("big", nodes)})).status == 400);

  CHECK(Post(Payload({Graph("g", {EmailNode("a", kEmailFields)}), Graph("g", {EmailNode("b", kEmailFields)})})).status == 400);
  CHECK(Post(Payload({Graph("g", {EmailNode("a", kEmailFields, "same"), EmailNode("b", kEmailFields, "same")})})).status == 400);
  CHECK(Post(Payload({Graph("g", {EmailNode("a", kEmailFields, "bad-ref")})})).status == 400);
  CHECK(Post(R"({"graphs":[)").status == 400);
  CHECK(Post("not json").status == 400);
  CHECK(Post(R"({"graphs":[],"extra":1})").status == 400);
  CHECK(sim_.EmailMessagesByKey()["tenant-1"].empty());
}

TEST_CASE_METHOD(GraphFixture, "after 14 failed graphs the rest are PROCESSING_HALTED", "[sim][graph]") {
  std::vector<std::string> graphs;
  for (int i = 0; i < 14; ++i) graphs.push_back(Graph("f" + std::to_string(i), {EmailNode("f" + std::to_string(i), R"("Status":"x")")}));
  graphs.push_back(EmailWithRelations("late", "late"));
  auto json = ParseJson(Post(Payload(graphs)).body);
  simdjson::dom::element last = (json->root["graphs"].at(14)).value();
  CHECK_FALSE(last["isSuccessful"].get_bool().value());
  CHECK(NodeError(last, 0) == "PROCESSING_HALTED");
  CHECK(Stored("late").empty());
}

TEST_CASE_METHOD(GraphFixture, "composite graph needs a session and POST", "[sim][graph]") {
  HttpRequest r;
  r.method = "POST";
  r.path = "/services/data/v66.0/composite/graph";
  r.headers["authorization"] = "Bearer nope";
  r.body = Payload({EmailWithRelations("k")});
  CHECK(sim_.Handle(r).status == 401);
  token_ = Login(org1_);
  r.headers["authorization"] = "Bearer " + token_;
  r.method = "PATCH";
  CHECK(sim_.Handle(r).status == 405);
}

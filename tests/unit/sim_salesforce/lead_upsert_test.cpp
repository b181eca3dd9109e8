// sObject Collections upsert of Lead on Crmsync_Key__c (the Leads crmsync
// creates for unknown people): create once, update after, required fields,
// and a created Lead is at once visible to SOQL and usable as a Task's WhoId.
#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

namespace crmsync::sim::testing {
namespace {

constexpr char kLeadTarget[] = "Lead/Crmsync_Key__c";

std::string LeadBody(const std::vector<std::string>& records) {
  std::string body = R"({"allOrNone":false,"records":[)";
  for (std::size_t i = 0; i < records.size(); ++i) body += (i ? "," : "") + records[i];
  return body + "]}";
}

std::string Lead(const std::string& address, const std::string& extra = R"("LastName":"Doe","Company":"x.example")") {
  return R"({"attributes":{"type":"Lead"},"Crmsync_Key__c":"lead:)" + address + R"(","Email":")" + address + "\"" +
         (extra.empty() ? "" : "," + extra) + "}";
}

TEST_CASE_METHOD(SimFixture, "sim Lead upsert: created once, then updated, and matchable at once", "[sim_salesforce][lead]") {
  std::string token = Login(org1_);
  HttpResponse first = sim_.Handle(Upsert(LeadBody({Lead("jane@x.example")}), token, kLeadTarget));
  REQUIRE(first.status == 200);
  auto created = ParseJson(first.body);
  REQUIRE(created->root.at(0)["success"].get_bool().value());
  CHECK(created->root.at(0)["created"].get_bool().value());
  const std::string id = Str(created->root.at(0)["id"]);
  CHECK(id.rfind("00Q", 0) == 0);

  HttpResponse again = sim_.Handle(Upsert(LeadBody({Lead("jane@x.example", R"("LastName":"Roe")")}), token, kLeadTarget));
  auto updated = ParseJson(again.body);
  REQUIRE(updated->root.at(0)["success"].get_bool().value());
  CHECK_FALSE(updated->root.at(0)["created"].get_bool().value());
  CHECK(Str(updated->root.at(0)["id"]) == id);

  auto leads = sim_.LeadsByKey();
  REQUIRE(leads["tenant-1"].size() == 1);
  REQUIRE(leads["tenant-1"]["lead:jane@x.example"].size() == 1);
  CHECK(leads["tenant-1"]["lead:jane@x.example"][0].fields.at("LastName") == "Roe");
  CHECK(leads["tenant-2"].empty());

  // SOQL by Email finds it; a Task may name it as WhoId.
  HttpResponse query = sim_.Handle(Query("SELECT Id, Email FROM Lead WHERE Email IN ('JANE@x.example')", token));
  REQUIRE(query.status == 200);
  CHECK(Str(ParseJson(query.body)->root["records"].at(0)["Id"]) == id);
  HttpResponse task = sim_.Handle(Upsert(
      R"({"allOrNone":false,"records":[{"attributes":{"type":"Task"},"Crmsync_Key__c":"m1","WhoId":")" + id + R"("}]})",
      token));
  REQUIRE(task.status == 200);
  CHECK(ParseJson(task.body)->root.at(0)["success"].get_bool().value());
  // Existing people are still found next to it.
  HttpResponse old = sim_.Handle(Query("SELECT Id FROM Lead WHERE Email = 'lead0@prospect.example'", token));
  CHECK(Str(ParseJson(old.body)->root["records"].at(0)["Id"]) == org1_.lead_ids[0]);
}

TEST_CASE_METHOD(SimFixture, "sim Lead upsert: required fields, unknown fields, duplicate keys", "[sim_salesforce][lead]") {
  std::string token = Login(org1_);
  HttpResponse r = sim_.Handle(Upsert(LeadBody({
                                          Lead("a@x.example", R"("LastName":"A")"),               // no Company
                                          Lead("b@x.example", R"("Company":"x","Title":"CEO")"),   // unknown field
                                          Lead("c@x.example"),
                                          Lead("c@x.example"),                                      // twice
                                          Lead("d@x.example", R"("LastName":"D","Company":"x","Email":"nope")"),
                                      }),
                                      token, kLeadTarget));
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  auto code = [&](std::size_t i) { return Str(json->root.at(i)["errors"].at(0)["statusCode"]); };
  CHECK(code(0) == "REQUIRED_FIELD_MISSING");
  CHECK(code(1) == "INVALID_FIELD");
  CHECK(json->root.at(2)["success"].get_bool().value());
  CHECK(code(3) == "DUPLICATE_VALUE");
  CHECK(code(4) == "INVALID_EMAIL_ADDRESS");
  CHECK(sim_.LeadsByKey()["tenant-1"].size() == 1);
  HttpResponse malformed = sim_.Handle(Upsert("{\"records\":[", token, kLeadTarget));
  CHECK(malformed.status == 400);
}

}  // namespace
}  // namespace crmsync::sim::testing

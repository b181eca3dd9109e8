// The SOQL subset and query paging.
#include <set>

#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

namespace crmsync::sim::testing {
namespace {

std::string ErrorCode(const HttpResponse& r) {
  return Str(ParseJson(r.body)->root.at(0)["errorCode"]);
}
std::string ErrorMessage(const HttpResponse& r) {
  return Str(ParseJson(r.body)->root.at(0)["message"]);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce query: Email IN list matches case-insensitively", "[sim_salesforce]") {
  std::string token = Login(org1_);
  HttpResponse r = sim_.Handle(Query(
      "select id,  EMAIL , Name\n FROM contact where email in ('alice.smith@org1.example', "
      "'C1@ORG1.EXAMPLE','nobody@org1.example', 'lead0@prospect.example')",
      token));
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  CHECK(json->root["totalSize"].get_int64().value() == 2);
  CHECK(json->root["done"].get_bool().value());
  CHECK(json->root["nextRecordsUrl"].error() == simdjson::NO_SUCH_FIELD);
  simdjson::dom::array records = json->root["records"].get_array().value();
  REQUIRE(records.size() == 2);
  auto alice = records.at(0);
  CHECK(Str(alice["attributes"]["type"]) == "Contact");
  CHECK(Str(alice["attributes"]["url"]) == "/services/data/v66.0/sobjects/Contact/" + org1_.contact_ids[0]);
  CHECK(Str(alice["Id"]) == org1_.contact_ids[0]);
  CHECK(Str(alice["Email"]) == "Alice.Smith@Org1.EXAMPLE");   // as stored
  CHECK(Str(alice["Name"]) == "Alice0 Smith");
  CHECK(Str(records.at(1)["Id"]) == org1_.contact_ids[1]);
  // Leads are not Contacts; another org's contacts are invisible.
  HttpResponse leads = sim_.Handle(Query("SELECT Id FROM Lead WHERE Email = 'LEAD0@prospect.example'", token));
  CHECK(ParseJson(leads.body)->root["records"].at(0)["Id"].get_string().value() == org1_.lead_ids[0]);
  HttpResponse other = sim_.Handle(Query("SELECT Id FROM Contact WHERE Email = 'c1@org2.example'", token));
  CHECK(ParseJson(other.body)->root["totalSize"].get_int64().value() == 0);
  // Users have IsActive; LIMIT caps the result.
  HttpResponse users = sim_.Handle(Query("SELECT Id, IsActive FROM User LIMIT 1", token));
  REQUIRE(users.status == 200);
  auto users_json = ParseJson(users.body);
  CHECK(users_json->root["totalSize"].get_int64().value() == 1);
  CHECK(users_json->root["records"].at(0)["IsActive"].get_bool().value());
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce query: SOQL string escapes", "[sim_salesforce]") {
  std::string token = Login(org1_);
  HttpResponse r = sim_.Handle(Query(R"(SELECT Id, LastName FROM Contact WHERE Email IN ('O\'Brien@org.example'))", token));
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  REQUIRE(json->root["totalSize"].get_int64().value() == 1);
  CHECK(Str(json->root["records"].at(0)["LastName"]) == "O'Brien");
  // \\ and \" decode; the resulting address simply does not exist.
  HttpResponse escaped = sim_.Handle(Query(R"(SELECT Id FROM Contact WHERE Email = 'a\\b\"c\n')", token));
  CHECK(escaped.status == 200);
  // Unknown escape and unterminated literal are malformed.
  HttpResponse bad_escape = sim_.Handle(Query(R"(SELECT Id FROM Contact WHERE Email = 'a\qb')", token));
  CHECK(bad_escape.status == 400);
  CHECK(ErrorCode(bad_escape) == "MALFORMED_QUERY");
  HttpResponse open = sim_.Handle(Query("SELECT Id FROM Contact WHERE Email = 'abc", token));
  CHECK(ErrorCode(open) == "MALFORMED_QUERY");
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce query: outside the subset is refused with a named reason", "[sim_salesforce]") {
  std::string token = Login(org1_);
  struct Case {
    const char* soql;
    const char* code;
    const char* mentions;
  };
  const Case cases[] = {
      {"SELEC Id FROM Contact", "MALFORMED_QUERY", "SELEC"},
      {"SELECT Id FROM Contact WHERE Email IN ()", "MALFORMED_QUERY", ")"},
      {"SELECT Id FROM Contact WHERE Email = 'a' ORDER BY Id", "MALFORMED_QUERY", "ORDER"},
      {"SELECT Id, Id FROM Contact", "MALFORMED_QUERY", "duplicate field"},
      {"SELECT COUNT() FROM Contact", "MALFORMED_QUERY", "COUNT"},
      {"SELECT Id FROM Contact WHERE Name = 'x'", "MALFORMED_QUERY", "Name"},
      {"SELECT Id FROM Contact WHERE Email = \"x\"", "MALFORMED_QUERY", "\""},
      {"SELECT Id FROM Contact LIMIT x", "MALFORMED_QUERY", "x"},
      {"SELECT Account.Name FROM Contact", "MALFORMED_QUERY", "."},
      {"SELECT Id, Phone FROM Contact", "INVALID_FIELD", "No such column 'Phone' on entity 'Contact'"},
      {"SELECT IsActive FROM Lead", "INVALID_FIELD", "IsActive"},
      {"SELECT Id FROM Account", "INVALID_TYPE", "Account"},
      {"", "MALFORMED_QUERY", "query string"},
  };
  for (const Case& c : cases) {
    INFO(c.soql);
    HttpResponse r = sim_.Handle(Query(c.soql, token));
    REQUIRE(r.status == 400);
    CHECK(ErrorCode(r) == c.code);
    CHECK_THAT(ErrorMessage(r), Catch::Contains(c.mentions));
  }
  // A URI over 16,384 bytes is refused before anything else.
  std::string soql = "SELECT Id FROM Contact WHERE Email IN ('x'";
  while (soql.size() < 17000) soql += ",'someone@example.com'";
  soql += ")";
  CHECK(sim_.Handle(Query(soql, token)).status == 414);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce query: nextRecordsUrl pages with batchSize 200 over 450 records",
                 "[sim_salesforce]") {
  OrgFixture big = MakeOrg(3, 450);
  sim_.AddOrg(big.setup);
  std::string token = Login(big);
  std::string soql = "SELECT Id, Email FROM Contact WHERE Email IN (";
  for (int i = 0; i < 450; ++i) {
    soql += (i == 0 ? "'" : ",'") + std::string(i == 0 ? "alice.smith@org3.example" : "c" + std::to_string(i) + "@org3.example") + "'";
  }
  soql += ")";
  HttpRequest first = Query(soql, token, 60);
  first.headers["sforce-query-options"] = "batchSize=200";
  HttpResponse r = sim_.Handle(first);
  REQUIRE(r.status == 200);

  std::set<std::string> ids;
  std::vector<std::size_t> page_sizes;
  std::string next;
  for (int page = 0; page < 5; ++page) {
    auto json = ParseJson(r.body);
    CHECK(json->root["totalSize"].get_int64().value() == 450);
    simdjson::dom::array records = json->root["records"].get_array().value();
    page_sizes.push_back(records.size());
    for (auto record : records) ids.insert(Str(record["Id"]));
    bool done = json->root["done"].get_bool().value();
    if (done) {
      CHECK(json->root["nextRecordsUrl"].error() == simdjson::NO_SUCH_FIELD);
      break;
    }
    next = Str(json->root["nextRecordsUrl"]);
    REQUIRE(next.rfind("/services/data/v60.0/query/01g", 0) == 0);
    // Clients rebuild the URL from its last segment.
    CHECK(next.substr(next.rfind('/') + 1).find('-') != std::string::npos);
    r = sim_.Handle(Get(next, token));
    REQUIRE(r.status == 200);
  }
  CHECK(page_sizes == std::vector<std::size_t>{200, 200, 50});
  CHECK(ids.size() == 450);
  CHECK(ids.count(big.contact_ids[449]) == 1);

  // The locator belongs to org 3 only; made-up locators are refused.
  HttpResponse foreign = sim_.Handle(Get(next, Login(org1_)));
  CHECK(foreign.status == 400);
  CHECK(ErrorCode(foreign) == "INVALID_QUERY_LOCATOR");
  CHECK(ErrorCode(sim_.Handle(Get("/services/data/v60.0/query/01gXXXXXXXXXXXXXXX-200", token))) ==
        "INVALID_QUERY_LOCATOR");
  // Locators expire after 15 minutes.
  now_ += std::chrono::minutes(15);
  HttpResponse expired = sim_.Handle(Get(next, token));
  CHECK(expired.status == 400);
  CHECK(ErrorCode(expired) == "INVALID_QUERY_LOCATOR");

  // Without the header, batches are 2000: everything in one answer.
  HttpResponse whole = sim_.Handle(Query(soql, token));
  CHECK(ParseJson(whole.body)->root["records"].get_array().value().size() == 450);
}

}  // namespace
}  // namespace crmsync::sim::testing

#include <catch2/catch.hpp>

#include "crmsync/salesforce/salesforce.hpp"
#include "test_data.hpp"

using crmsync::StatusCode;
using crmsync::salesforce::ParseQueryResponse;
using crmsync::testing::ReadTestData;

TEST_CASE("query page with nextRecordsUrl", "[salesforce][query]") {
  auto page = ParseQueryResponse(ReadTestData("salesforce/query_page_1.json"));
  REQUIRE(page.ok());
  CHECK(page->next_records_url == "/services/data/v60.0/query/01gRO0000016PIAYA2-2000");
  REQUIRE(page->records.size() == 2);
  CHECK(page->records[0].id == "0035e00000AAAAAAA1");
  CHECK(page->records[0].email == "bob@fabrikam.com");  // lower-cased
}

TEST_CASE("last query page: done with a null nextRecordsUrl", "[salesforce][query]") {
  auto page = ParseQueryResponse(ReadTestData("salesforce/query_page_2.json"));
  REQUIRE(page.ok());
  CHECK(page->next_records_url.empty());
  REQUIRE(page->records.size() == 1);
  CHECK(page->records[0].email == "o'brien@fabrikam.com");

  auto absent = ParseQueryResponse(R"({"totalSize":0,"done":true,"records":[]})");
  REQUIRE(absent.ok());
  CHECK(absent->records.empty());
  CHECK(absent->next_records_url.empty());
}

TEST_CASE("malformed query responses are kCorruption", "[salesforce][query]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty body"},
      {R"({"done":true})", "records: missing"},
      {R"({"done":false,"records":[]})", "nextRecordsUrl is missing"},
      {R"({"done":true,"records":[{"Email":"a@b.c"}]})", "records[0].Id: missing"},
      {R"({"done":true,"records":[{"Id":"1","Email":7}]})", "records[0].Email: expected string"},
      {R"({"done":"yes","records":[]})", "done: expected boolean"},
      {R"([{"errorCode":"MALFORMED_QUERY"}])", "document: expected object"},
      {R"({"done":true,"records":[]}})", "trailing content"},
  };
  for (const auto& [body, expected] : cases) {
    INFO(body);
    auto page = ParseQueryResponse(body);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == StatusCode::kCorruption);
    CHECK_THAT(page.status().message(), Catch::Contains(expected));
  }
}

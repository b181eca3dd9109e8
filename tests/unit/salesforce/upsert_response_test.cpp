#include <catch2/catch.hpp>

#include "crmsync/salesforce/salesforce.hpp"
#include "test_data.hpp"

using crmsync::StatusCode;
using crmsync::salesforce::ParseUpsertResponse;

TEST_CASE("upsert response: outcomes in order with the first error", "[salesforce][upsert]") {
  auto outcomes =
      ParseUpsertResponse(crmsync::testing::ReadTestData("salesforce/upsert_response_mixed.json"), 4);
  REQUIRE(outcomes.ok());
  const auto& list = outcomes.value();
  REQUIRE(list.size() == 4);
  CHECK(list[0].success);
  CHECK(list[0].created);
  CHECK(list[0].id == "00T5e000001AAAAEA4");
  CHECK(list[1].success);
  CHECK_FALSE(list[1].created);
  CHECK_FALSE(list[2].success);
  CHECK(list[2].id.empty());
  CHECK(list[2].error_code == "REQUIRED_FIELD_MISSING");
  CHECK(list[2].error_message == "Required fields are missing: [Subject]");
  CHECK(list[3].error_code == "INVALID_FIELD_FOR_INSERT_UPDATE");
}

TEST_CASE("upsert response count must match the request", "[salesforce][upsert]") {
  auto outcomes = ParseUpsertResponse(R"([{"id":"a","success":true,"errors":[],"created":true}])", 2);
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.status().code() == StatusCode::kCorruption);
  CHECK_THAT(outcomes.status().message(), Catch::Contains("1 results for 2 records"));
}

TEST_CASE("malformed upsert responses are kCorruption", "[salesforce][upsert]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty body"},
      {R"({"id":"a"})", "document: expected array"},
      {R"([{"id":"a","errors":[]}])", "[0].success: missing"},
      {R"([{"id":"a","success":"yes"}])", "[0].success: expected boolean"},
      {R"([{"success":false,"errors":{}}])", "[0].errors: expected array"},
      {R"([{"success":false,"errors":[{"statusCode":5}]}])", "[0].errors[0].statusCode: expected string"},
      {R"([{"success":true},)", "Salesforce upsert response"},
      {"[\"\xFF\"]", "UTF-8"},
      {R"([{"success":true}]])", "trailing content"},
  };
  for (const auto& [body, expected] : cases) {
    INFO(body);
    auto outcomes = ParseUpsertResponse(body, 1);
    REQUIRE_FALSE(outcomes.ok());
    CHECK(outcomes.status().code() == StatusCode::kCorruption);
    CHECK_THAT(outcomes.status().message(), Catch::Contains(expected));
  }
}

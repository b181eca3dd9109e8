#include <catch2/catch.hpp>

#include "crmsync/salesforce/salesforce.hpp"

using crmsync::salesforce::DescribeRestError;

TEST_CASE("DescribeRestError reads the first REST error", "[salesforce][errors]") {
  CHECK(DescribeRestError(R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])") ==
        "INVALID_SESSION_ID: Session expired or invalid");
  CHECK(DescribeRestError(R"([{"errorCode":"EXCEEDED_ID_LIMIT","message":"record limit reached. cannot submit more than 200 records into this call","fields":[]},{"errorCode":"X","message":"y"}])") ==
        "EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 200 records into this call");
  CHECK(DescribeRestError(R"([{"errorCode":"REQUEST_LIMIT_EXCEEDED"}])") == "REQUEST_LIMIT_EXCEEDED");
}

TEST_CASE("DescribeRestError handles OAuth errors and junk", "[salesforce][errors]") {
  CHECK(DescribeRestError(R"({"error":"invalid_grant","error_description":"expired access/refresh token"})") ==
        "invalid_grant: expired access/refresh token");
  CHECK(DescribeRestError("<html>Service\nUnavailable</html>") == "<html>Service?Unavailable</html>");
  CHECK(DescribeRestError("") == "(empty body)");
  CHECK(DescribeRestError("[]") == "[]");
  const std::string long_body(1000, 'x');
  CHECK(DescribeRestError(long_body).size() == 203);
}

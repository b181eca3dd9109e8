#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <cstring>
#include <set>

#include "crmsync/salesforce/salesforce.hpp"

using crmsync::salesforce::BuildEmailInQueries;

namespace {

std::size_t EncodedSize(const std::string& soql) {
  char* escaped = curl_easy_escape(nullptr, soql.data(), static_cast<int>(soql.size()));
  const std::size_t size = std::strlen(escaped);
  curl_free(escaped);
  return size;
}

// The quoted values of "... IN ('a','b')" (no quotes inside in these tests).
std::vector<std::string> Values(const std::string& soql) {
  std::vector<std::string> values;
  std::size_t pos = soql.find('(');
  while ((pos = soql.find('\'', pos)) != std::string::npos) {
    const std::size_t end = soql.find('\'', pos + 1);
    values.push_back(soql.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return values;
}

}  // namespace

TEST_CASE("SOQL IN query, lower-cased and deduplicated", "[salesforce][soql]") {
  const std::vector<std::string> emails = {"Bob@Fabrikam.com", "carol@fabrikam.com",
                                           "BOB@fabrikam.COM", "", "  dan@x.org "};
  const auto queries = BuildEmailInQueries("Contact", emails);
  REQUIRE(queries.size() == 1);
  CHECK(queries[0] ==
        "SELECT Id, Email FROM Contact WHERE Email IN "
        "('bob@fabrikam.com','carol@fabrikam.com','dan@x.org')");
}

TEST_CASE("SOQL escapes quotes and backslashes", "[salesforce][soql]") {
  const std::vector<std::string> emails = {"o'brien@x.com", "back\\slash@x.com"};
  const auto queries = BuildEmailInQueries("Lead", emails);
  REQUIRE(queries.size() == 1);
  CHECK(queries[0] ==
        R"(SELECT Id, Email FROM Lead WHERE Email IN ('o\'brien@x.com','back\\slash@x.com'))");
}

TEST_CASE("no emails, no queries", "[salesforce][soql]") {
  CHECK(BuildEmailInQueries("Contact", std::vector<std::string>{}).empty());
  CHECK(BuildEmailInQueries("Contact", std::vector<std::string>{"", " "}).empty());
}

TEST_CASE("queries are split under the URL budget, each email once", "[salesforce][soql]") {
  std::vector<std::string> emails;
  for (int i = 0; i < 1000; ++i) emails.push_back("person" + std::to_string(i) + "@example.com");
  const std::size_t budget = 2000;
  const auto queries = BuildEmailInQueries("Contact", emails, budget);
  REQUIRE(queries.size() > 1);
  std::multiset<std::string> seen;
  for (const std::string& soql : queries) {
    CHECK(EncodedSize(soql) < budget);
    for (const std::string& value : Values(soql)) seen.insert(value);
  }
  CHECK(seen.size() == 1000);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 1000);
  // Greedy packing: all but the last query are close to the budget.
  CHECK(EncodedSize(queries.front()) > budget - 40);
}

TEST_CASE("at most 500 values per query", "[salesforce][soql]") {
  std::vector<std::string> emails;
  for (int i = 0; i < 1201; ++i) emails.push_back("p" + std::to_string(i) + "@e.co");
  const auto queries = BuildEmailInQueries("Contact", emails, 1 << 20);
  REQUIRE(queries.size() == 3);
  CHECK(Values(queries[0]).size() == 500);
  CHECK(Values(queries[1]).size() == 500);
  CHECK(Values(queries[2]).size() == 201);
}

#include <catch2/catch.hpp>

#include "crmsync/graph/graph.hpp"
#include "test_data.hpp"

using crmsync::StatusCode;
using crmsync::graph::ParseUsersPage;

TEST_CASE("users page: aliases from proxyAddresses, mail and UPN", "[graph][users]") {
  auto page = ParseUsersPage(crmsync::testing::ReadTestData("graph/users_page.json"));
  REQUIRE(page.ok());
  CHECK(page->next_link.find("$skiptoken=RFNwdAIAAQAAAA") != std::string::npos);
  REQUIRE(page->users.size() == 2);

  const auto& alice = page->users[0];
  CHECK(alice.id == "11111111-2222-3333-4444-555555555555");
  CHECK(alice.user_principal_name == "alice@contoso.com");
  CHECK(alice.mail == "Alice@Contoso.com");
  CHECK(alice.account_enabled);
  // Primary first, secondaries in order, lower-cased and deduplicated; SIP and
  // X500 entries ignored.
  CHECK(alice.aliases == std::vector<std::string>{"alice@contoso.com",
                                                  "alice@contoso.onmicrosoft.com",
                                                  "alice.example@contoso.com"});

  const auto& bob = page->users[1];
  CHECK_FALSE(bob.account_enabled);
  CHECK(bob.mail.empty());
  CHECK(bob.aliases == std::vector<std::string>{"bob@contoso.com"});
}

TEST_CASE("users page without nextLink is the last page", "[graph][users]") {
  auto page = ParseUsersPage(R"({"value":[{"id":"x","userPrincipalName":"svc-sync"}]})");
  REQUIRE(page.ok());
  CHECK(page->next_link.empty());
  // A UPN that is not an address is no alias.
  CHECK(page->users[0].aliases.empty());
}

TEST_CASE("malformed users pages are kCorruption", "[graph][users]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty body"},
      {R"({"value":[{"id":"x","proxyAddresses":"SMTP:a@b.c"}]})",
       "value[0].proxyAddresses: expected array"},
      {R"({"value":[{"id":"x","accountEnabled":"true"}]})", "value[0].accountEnabled: expected boolean"},
      {R"({"value":[{"mail":"a@b.c"}]})", "value[0].id: missing"},
      {R"({"value":7})", "value: expected array"},
      {R"({"users":[]})", "value: missing"},
  };
  for (const auto& [body, expected] : cases) {
    INFO(body);
    auto page = ParseUsersPage(body);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == StatusCode::kCorruption);
    CHECK_THAT(page.status().message(), Catch::Contains(expected));
  }
}

#include <catch2/catch.hpp>

#include "crmsync/engine/secrets.hpp"
#include "crmsync/state/secret_box.hpp"

using namespace crmsync;

TEST_CASE("a user's sealed Salesforce token opens only for that user of that tenant", "[secrets][per_user]") {
  auto box = state::SecretBox::Generate();
  REQUIRE(box.ok());
  const std::string ann = engine::SalesforceUserRefreshSecret("Ann@Acme.example");
  const std::string bob = engine::SalesforceUserRefreshSecret("bob@acme.example");
  // One kind per user, the address case-folded; never the service account's.
  CHECK(ann == engine::SalesforceUserRefreshSecret("ann@acme.example"));
  CHECK(ann != bob);
  CHECK(ann != engine::kSalesforceRefreshSecret);

  auto sealed = box->Seal("acme", ann, "5Aep861-ann-token");
  REQUIRE(sealed.ok());
  auto opened = box->Open("acme", ann, *sealed);
  REQUIRE(opened.ok());
  CHECK(opened.value() == "5Aep861-ann-token");
  // Moved to another user's row, another tenant's, or the service account's: does not open.
  CHECK(box->Open("acme", bob, *sealed).status().code() == StatusCode::kCorruption);
  CHECK(box->Open("globex", ann, *sealed).status().code() == StatusCode::kCorruption);
  CHECK_FALSE(box->Open("acme", engine::kSalesforceRefreshSecret, *sealed).ok());
}

// Delegated mailbox access: the configuration's rules, and each user's grant
// sealed for its tenant AND its user.
#include <catch2/catch.hpp>

#include <string>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/mailbox_grants.hpp"
#include "crmsync/engine/secrets.hpp"
#include "temp_dir.hpp"

using namespace crmsync;
using crmsync::testing::TempDir;

namespace {

std::string Tenant(const std::string& microsoft_extra, const std::string& users) {
  return R"(
[[tenants]]
id = "acme"
domains = ["acme.example"]
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "very-secret-value"
)" + microsoft_extra + R"(
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
)" + users;
}

}  // namespace

TEST_CASE("microsoft.access: application by default, delegated only with a listed users source", "[config]") {
  auto plain = engine::ParseConfig(Tenant("", ""), "c.toml");
  REQUIRE(plain.ok());
  CHECK(plain->tenants[0].microsoft.access == engine::MicrosoftAccess::kApplication);
  CHECK_FALSE(engine::UsesDelegatedMail(plain->tenants[0]));

  auto delegated = engine::ParseConfig(
      Tenant("access = \"delegated\"", "[tenants.users]\nsource = \"listed\"\nlist = [\"Ann@acme.example\"]\n"),
      "c.toml");
  REQUIRE(delegated.ok());
  CHECK(engine::UsesDelegatedMail(delegated->tenants[0]));

  for (const std::string& users : {std::string(), std::string("[tenants.users]\nsource = \"group\"\ngroup = \"g\"\n")}) {
    auto refused = engine::ParseConfig(Tenant("access = \"delegated\"", users), "c.toml");
    REQUIRE_FALSE(refused.ok());
    INFO(refused.status().message());
    CHECK_THAT(refused.status().message(),
               Catch::Contains("c.toml") && Catch::Contains("tenant \"acme\"") &&
                   Catch::Contains("tenants[0].microsoft.access = \"delegated\"") &&
                   Catch::Contains("tenants[0].users.source = \"listed\""));
  }
  auto typo = engine::ParseConfig(Tenant("access = \"delegate\"", ""), "c.toml");
  REQUIRE_FALSE(typo.ok());
  CHECK_THAT(typo.status().message(), Catch::Contains("access"));
}

TEST_CASE("a user's mailbox grant opens only for its own tenant and user", "[secrets]") {
  TempDir dir;
  auto store = state::Store::Open((dir.path() / "state").string());
  REQUIRE(store.ok());
  auto box = state::SecretBox::Generate();
  REQUIRE(box.ok());
  REQUIRE(engine::StoreMailboxGrant(*store.value(), box.value(), "acme", "Ann@acme.example", "refresh-of-ann").ok());

  auto own = engine::OpenMailboxGrant(*store.value(), &box.value(), "acme", "ann@acme.example");
  REQUIRE(own.ok());
  CHECK(own.value() == "refresh-of-ann");
  CHECK(engine::OpenMailboxGrant(*store.value(), &box.value(), "acme", "bob@acme.example").status().code() ==
        StatusCode::kNotFound);

  // The sealed bytes copied under another user, or another tenant, do not open.
  auto sealed = store.value()->GetSecret("acme", engine::MailboxGrantKind("ann@acme.example"));
  REQUIRE(sealed.ok());
  REQUIRE(sealed.value());
  REQUIRE(store.value()->PutSecret("acme", engine::MailboxGrantKind("bob@acme.example"), *sealed.value()).ok());
  REQUIRE(store.value()->PutSecret("globex", engine::MailboxGrantKind("ann@acme.example"), *sealed.value()).ok());
  auto as_bob = engine::OpenMailboxGrant(*store.value(), &box.value(), "acme", "bob@acme.example");
  REQUIRE_FALSE(as_bob.ok());
  CHECK(as_bob.status().code() == StatusCode::kCorruption);
  auto as_globex = engine::OpenMailboxGrant(*store.value(), &box.value(), "globex", "ann@acme.example");
  REQUIRE_FALSE(as_globex.ok());
  CHECK(as_globex.status().code() == StatusCode::kCorruption);
  CHECK_THAT(as_bob.status().message(), !Catch::Contains("refresh-of-ann"));
}

TEST_CASE("google.access = \"oauth_user\" is refused by name (not built yet)", "[config]") {
  const std::string text = R"(
[[tenants]]
id = "contoso"
domains = ["contoso.example"]
[tenants.google]
admin_email = "admin@contoso.example"
access = "oauth_user"
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
)";
  auto refused = engine::ParseConfig(text, "c.toml");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(),
             Catch::Contains("tenants[0].google.access") && Catch::Contains("not supported yet"));
  std::string accepted = text;
  accepted.replace(accepted.find("oauth_user"), 10, "service_account");
  CHECK(engine::ParseConfig(accepted, "c.toml").ok());
}

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

namespace {

std::string GoogleTenant(const std::string& google, const std::string& users) {
  return R"(
[[tenants]]
id = "contoso"
domains = ["contoso.example"]
[tenants.google]
)" + google + R"(
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
)" + users;
}

}  // namespace

TEST_CASE("google.access = \"oauth_user\": an OAuth client and listed users, no service account", "[config]") {
  const std::string client = "access = \"oauth_user\"\nclient_id = \"1-x.apps.googleusercontent.com\"\n"
                             "client_secret = \"GOCSPX-very-secret\"\n";
  const std::string listed = "[tenants.users]\nsource = \"listed\"\nlist = [\"Ann@contoso.example\"]\n";
  auto ok = engine::ParseConfig(GoogleTenant(client, listed), "c.toml");
  INFO((ok.ok() ? std::string() : ok.status().message()));
  REQUIRE(ok.ok());
  const engine::TenantConfig& t = ok->tenants[0];
  CHECK(t.google.access == engine::GoogleAccess::kOAuthUser);
  CHECK(engine::UsesDelegatedMail(t));
  CHECK(t.google.admin_email.empty());
  CHECK(t.google.token_url == "https://oauth2.googleapis.com/token");
  CHECK(t.google.auth_url == "https://accounts.google.com/o/oauth2/v2/auth");

  // The service account stays the default, and still needs its admin.
  auto plain = engine::ParseConfig(GoogleTenant("admin_email = \"admin@contoso.example\"", ""), "c.toml");
  REQUIRE(plain.ok());
  CHECK_FALSE(engine::UsesDelegatedMail(plain->tenants[0]));
  auto no_admin = engine::ParseConfig(GoogleTenant("", ""), "c.toml");
  REQUIRE_FALSE(no_admin.ok());
  CHECK_THAT(no_admin.status().message(), Catch::Contains("tenants[0].google.admin_email missing"));

  // Directory and group sources need the service account: refused by name.
  for (const char* users : {"", "[tenants.users]\nsource = \"group\"\ngroup = \"sales@contoso.example\"\n"}) {
    auto refused = engine::ParseConfig(GoogleTenant(client, users), "c.toml");
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.status().message(),
               Catch::Contains("tenant \"contoso\"") && Catch::Contains("tenants[0].google.access = \"oauth_user\"") &&
                   Catch::Contains("tenants[0].users.source = \"listed\""));
  }
  // The OAuth client is required, its secret never echoed.
  auto no_secret = engine::ParseConfig(
      GoogleTenant("access = \"oauth_user\"\nclient_id = \"1-x.apps.googleusercontent.com\"\n", listed), "c.toml");
  REQUIRE_FALSE(no_secret.ok());
  CHECK_THAT(no_secret.status().message(), Catch::Contains("tenants[0].google.client_secret missing"));
  auto bad_url = engine::ParseConfig(GoogleTenant(client + "token_url = \"oauth2.example/token\"\n", listed), "c.toml");
  REQUIRE_FALSE(bad_url.ok());
  CHECK_THAT(bad_url.status().message(), Catch::Contains("tenants[0].google.token_url") &&
                                             !Catch::Contains("very-secret"));
  auto unknown = engine::ParseConfig(GoogleTenant("access = \"per_user\"", listed), "c.toml");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.status().message(), Catch::Contains("tenants[0].google.access"));
}

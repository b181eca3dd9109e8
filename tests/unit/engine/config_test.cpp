#include <catch2/catch.hpp>

#include "crmsync/engine/config.hpp"

using namespace crmsync::engine;

namespace {
const char* kValid = R"(
[engine]
max_streams_in_flight = 8

[[tenants]]
id = "acme"
domains = ["acme.example"]
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "very-secret-value"
graph_url = "https://127.0.0.1:9"
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
refresh_token = "rt-secret"
)";
}  // namespace

TEST_CASE("a valid configuration loads with defaults", "[config]") {
  auto config = ParseConfig(kValid, "crmsync.toml");
  REQUIRE(config.ok());
  CHECK(config->engine.max_streams_in_flight == 8);
  REQUIRE(config->tenants.size() == 1);
  CHECK(config->tenants[0].microsoft.login_url == "https://login.microsoftonline.com");
  CHECK(config->tenants[0].salesforce.api_version == "60.0");
}

TEST_CASE("configuration errors name the file, line, key and value", "[config]") {
  std::string typo = kValid;
  typo.replace(typo.find("max_streams_in_flight"), 21, "max_streams_in_flite");
  auto r = ParseConfig(typo, "crmsync.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "crmsync.toml:3: unknown key 'engine.max_streams_in_flite' "
                                 "(did you mean 'engine.max_streams_in_flight'?)");

  std::string missing = kValid;
  missing.erase(missing.find("client_secret = \"ss\""), std::string("client_secret = \"ss\"").size());
  r = ParseConfig(missing, "crmsync.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("tenants[0].salesforce.client_secret missing"));

  std::string range = kValid;
  range.replace(range.find("= 8"), 3, "= 0");
  r = ParseConfig(range, "crmsync.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("max_streams_in_flight = 0 is out of range"));

  r = ParseConfig("[[tenants]\nid=", "bad.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::StartsWith("bad.toml:1:"));

  r = ParseConfig("[engine]\n", "empty.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("no [[tenants]]"));
}

TEST_CASE("configuration errors never echo secrets", "[config]") {
  std::string wrong_type = kValid;
  wrong_type.replace(wrong_type.find("\"very-secret-value\""), 19, "12345");
  auto r = ParseConfig(wrong_type, "crmsync.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("client_secret must be a string"));
  CHECK_THAT(r.status().message(), !Catch::Contains("12345"));
}

TEST_CASE("duplicate tenant ids are refused", "[config]") {
  std::string twice = std::string(kValid) + std::string(kValid).substr(std::string(kValid).find("[[tenants]]"));
  auto r = ParseConfig(twice, "crmsync.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("\"acme\" is used twice"));
}

TEST_CASE("a tenant names exactly one mail system", "[config]") {
  const std::string google = R"(
[[tenants]]
id = "g"
domains = ["g.example"]
[tenants.google]
key_file = "/etc/crmsync/g-sa.json"
admin_email = "admin@g.example"
page_size = 500
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
refresh_token = "rt"
)";
  auto config = ParseConfig(google, "g.toml");
  REQUIRE(config.ok());
  CHECK(config->tenants[0].provider == MailProvider::kGoogle);
  CHECK(config->tenants[0].google.key_file == "/etc/crmsync/g-sa.json");
  CHECK(config->tenants[0].google.api_url == "https://gmail.googleapis.com");
  CHECK(config->tenants[0].google.page_size == 500);

  std::string both = google;
  both.insert(both.find("[tenants.salesforce]"),
              "[tenants.microsoft]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n");
  auto r = ParseConfig(both, "g.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("exactly one mail system"));

  std::string neither = google.substr(0, google.find("[tenants.google]")) +
                        google.substr(google.find("[tenants.salesforce]"));
  r = ParseConfig(neither, "g.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("exactly one mail system"));

  std::string since = google;
  since.insert(since.find("page_size"), "since = \"2026-13-01\"\n");
  r = ParseConfig(since, "g.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("since = \"2026-13-01\" is not a date"));
  since = google;
  since.insert(since.find("page_size"), "since = \"2026-01-31\"\n");
  REQUIRE(ParseConfig(since, "g.toml").ok());
  CHECK(ParseConfig(since, "g.toml")->tenants[0].google.since == "2026-01-31");

  std::string missing = google;
  missing.erase(missing.find("admin_email"), std::string("admin_email = \"admin@g.example\"").size());
  r = ParseConfig(missing, "g.toml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("tenants[0].google.admin_email missing"));
}

TEST_CASE("organization settings: connection kinds, host allowlist, users, provisioning", "[config]") {
  auto with = [](const std::string& tenant_lines, const std::string& salesforce_lines) {
    std::string text = kValid;
    const std::string domains = "domains = [\"acme.example\"]";
    text.replace(text.find(domains), domains.size(), domains + "\n" + tenant_lines);
    text += salesforce_lines;
    return ParseConfig(text, "crmsync.toml");
  };
  auto sandbox = with("", "connection = \"sandbox\"\n");
  REQUIRE(sandbox.ok());
  CHECK(sandbox->tenants[0].salesforce.login_url == "https://test.salesforce.com");

  auto my_domain = with("", "connection = \"my_domain\"\n");
  REQUIRE_FALSE(my_domain.ok());
  CHECK_THAT(my_domain.status().message(), Catch::Contains("salesforce.login_url missing"));

  auto lookalike = with("", "login_url = \"https://login.salesforce.com.attacker.io\"\n");
  REQUIRE_FALSE(lookalike.ok());
  CHECK_THAT(lookalike.status().message(),
             Catch::Contains("tenants[0].salesforce.login_url: host login.salesforce.com.attacker.io refused"));

  auto loopback = with("", "login_url = \"https://127.0.0.1:8443\"\n");
  REQUIRE_FALSE(loopback.ok());
  CHECK(with("", "login_url = \"https://127.0.0.1:8443\"\nallow_loopback = true\n").ok());

  auto listed = with("[tenants.users]\nsource = \"listed\"\nlist = [\"A@acme.example\"]\n", "");
  REQUIRE(listed.ok());
  CHECK(listed->tenants[0].users.list == std::vector<std::string>{"a@acme.example"});

  auto twice = with("[tenants.users]\nsalesforce_match = \"explicit\"\n[tenants.users.salesforce_map]\n"
                    "\"a@acme.example\" = \"005A\"\n\"b@acme.example\" = \"005A\"\n", "");
  REQUIRE_FALSE(twice.ok());
  CHECK_THAT(twice.status().message(), Catch::Contains("one mailbox per Salesforce user"));

  auto per_user = with("authorization = \"per_user\"\n", "");
  REQUIRE(per_user.ok());
  CHECK(per_user->tenants[0].authorization == crmsync::engine::Authorization::kPerUser);
  CHECK(with("", "")->tenants[0].authorization == crmsync::engine::Authorization::kServiceAccount);
  auto unknown_mode = with("authorization = \"per_mailbox\"\n", "");
  REQUIRE_FALSE(unknown_mode.ok());
  CHECK_THAT(unknown_mode.status().message(), Catch::Contains("authorization") && Catch::Contains("per_mailbox"));

  auto group = with("[tenants.users]\nsource = \"group\"\ngroup = \"Sales@acme.example\"\n", "");
  REQUIRE(group.ok());
  CHECK(group->tenants[0].users.source == crmsync::engine::UserSource::kGroup);
  CHECK(group->tenants[0].users.group == "Sales@acme.example");
  auto no_group = with("[tenants.users]\nsource = \"group\"\n", "");
  REQUIRE_FALSE(no_group.ok());
  CHECK_THAT(no_group.status().message(), Catch::Contains("group"));

  auto federation = with("[tenants.users]\nsalesforce_match = \"federation_id\"\n", "");
  REQUIRE(federation.ok());
  CHECK(federation->tenants[0].users.match == crmsync::engine::SalesforceUserMatch::kFederationId);

  auto provisioning = with("[tenants.provisioning]\nhmac_secrets = [\"short\"]\n", "");
  REQUIRE_FALSE(provisioning.ok());
  CHECK_THAT(provisioning.status().message(), Catch::Contains("shorter than 32") && !Catch::Contains("short\""));
}

// `crmsync config check`: every unknown key with file:line, the key and a
// suggestion; the loader's own errors carry suggestions too.
#include <catch2/catch.hpp>

#include <string>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/config_keys.hpp"

namespace {

using namespace crmsync::engine;

constexpr const char* kBase = R"toml([engine]
max_streams_in_flght = 8
[[tenants]]
id = "acme"
domains = ["acme.example"]
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "super-secret-value"
[tenants.salesforce]
client_id = "c"
client_secret = "s"
max_age_days = 30
[tenants.capture]
max_age_dayz = 30
)toml";

}  // namespace

TEST_CASE("config check: edit distance", "[config][check]") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("abc", "abc") == 0);
  CHECK(EditDistance("max_age_dayz", "max_age_days") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("", "abc") == 3);
}

TEST_CASE("config check: normalizes array indices out of key paths", "[config][check]") {
  CHECK(NormalizeKeyPath("tenants[0].capture.users[12].address") == "tenants.capture.users.address");
  CHECK(NormalizeKeyPath("engine.state_dir") == "engine.state_dir");
}

TEST_CASE("config check: names every unknown key with file, line and a suggestion", "[config][check]") {
  const auto errors = CheckConfigText(kBase, "/etc/crmsync.toml");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "/etc/crmsync.toml:2: unknown key 'engine.max_streams_in_flght' "
                     "(did you mean 'engine.max_streams_in_flight'?)");
  CHECK(errors[1] == "/etc/crmsync.toml:13: unknown key 'tenants[0].salesforce.max_age_days' "
                     "('max_age_days' belongs in [tenants.capture])");
  CHECK(errors[2] == "/etc/crmsync.toml:15: unknown key 'tenants[0].capture.max_age_dayz' "
                     "(did you mean 'tenants[0].capture.max_age_days'?)");
  for (const auto& e : errors) CHECK(e.find("super-secret-value") == std::string::npos);
}

TEST_CASE("config check: the loader rejects unknown keys with the suggestion too", "[config][check]") {
  auto loaded = ParseConfig(kBase, "c.toml");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().message() ==
        "c.toml:2: unknown key 'engine.max_streams_in_flght' (did you mean 'engine.max_streams_in_flight'?)");
}

TEST_CASE("config check: a far-off key gets no suggestion", "[config][check]") {
  const auto errors = CheckConfigText("[engine]\nzzz = 1\n[[tenants]]\nid = \"a\"\n", "c.toml");
  REQUIRE(!errors.empty());
  CHECK(errors[0] == "c.toml:2: unknown key 'engine.zzz'");
}

TEST_CASE("config check: the loader's other errors follow the unknown keys", "[config][check]") {
  const std::string text = R"toml([[tenants]]
id = "acme"
domains = ["acme.example"]
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "s"
page_size = 5000
[tenants.salesforce]
client_id = "c"
client_secret = "s"
)toml";
  const auto errors = CheckConfigText(text, "c.toml");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "c.toml:8: tenants[0].microsoft.page_size = 5000 is out of range 1..1000");
}

TEST_CASE("config check: free-form maps and syntax errors", "[config][check]") {
  const std::string ok = R"toml([[tenants]]
id = "acme"
domains = ["acme.example"]
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "s"
[tenants.salesforce]
client_id = "c"
client_secret = "s"
[tenants.users]
salesforce_match = "explicit"
[tenants.users.salesforce_map]
"ann@acme.example" = "005000000000001AAA"
)toml";
  CHECK(CheckConfigText(ok, "c.toml").empty());
  const auto syntax = CheckConfigText("[engine\n", "c.toml");
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0].rfind("c.toml:1:", 0) == 0);
  const auto binary = CheckConfigText(std::string("id = \"\xff\xfe\"\n", 9), "c.toml");
  REQUIRE(binary.size() == 1);
}

// `crmsync config example` must load with the real loader and name every key
// the loader knows, so that it cannot drift from the code.
#include <catch2/catch.hpp>
#include <toml++/toml.h>

#include <set>
#include <string>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/config_example.hpp"
#include "crmsync/engine/config_keys.hpp"

namespace {

using namespace crmsync::engine;

// Every key path written in the TOML (array indices dropped).
void CollectPaths(const toml::table& table, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    out.insert(path);
    if (const auto* child = node.as_table()) CollectPaths(*child, path, out);
    if (const auto* array = node.as_array()) {
      for (const auto& item : *array) {
        if (const auto* t = item.as_table()) CollectPaths(*t, path, out);
      }
    }
  }
}

}  // namespace

TEST_CASE("config example: loads with the real loader", "[config][example]") {
  auto config = ParseConfig(ConfigExample(), "example.toml");
  INFO((config.ok() ? std::string() : config.status().message()));
  REQUIRE(config.ok());
  REQUIRE(config.value().tenants.size() == 3);
  CHECK(config.value().tenants[0].provider == MailProvider::kMicrosoft);
  CHECK(config.value().tenants[1].provider == MailProvider::kGoogle);
  CHECK(config.value().tenants[2].provider == MailProvider::kExchange);
}

TEST_CASE("config example: every key the loader knows is written in it", "[config][example]") {
  const auto& known = KnownConfigKeys();
  REQUIRE(known.size() > 60);
  std::set<std::string> written;
  CollectPaths(toml::parse(ConfigExample(), std::string("example.toml")), "", written);
  for (const auto& key : known) {
    INFO("missing from `crmsync config example`: " << key);
    CHECK(written.count(key) == 1);
  }
  // And nothing in it is unknown (the loader would refuse it anyway).
  for (const auto& key : written) {
    if (key.find("salesforce_map.") != std::string::npos) continue;
    INFO("unknown to the loader: " << key);
    CHECK(known.count(key) == 1);
  }
}

TEST_CASE("config example: values are the defaults of the structs", "[config][example]") {
  auto config = ParseConfig(ConfigExample(), "example.toml");
  REQUIRE(config.ok());
  const Config& c = config.value();
  const EngineConfig engine_defaults;
  CHECK(c.engine.max_streams_in_flight == engine_defaults.max_streams_in_flight);
  CHECK(c.engine.max_writes_in_flight == engine_defaults.max_writes_in_flight);
  CHECK(c.engine.max_connections_per_host == engine_defaults.max_connections_per_host);
  CHECK(c.engine.request_timeout_seconds == engine_defaults.request_timeout_seconds);
  const TenantConfig& t = c.tenants[0];
  const MicrosoftConfig ms;
  CHECK(t.microsoft.login_url == ms.login_url);
  CHECK(t.microsoft.graph_url == ms.graph_url);
  CHECK(t.microsoft.page_size == ms.page_size);
  const SalesforceConfig sf;
  CHECK(t.salesforce.login_url == sf.login_url);
  CHECK(t.salesforce.api_version == sf.api_version);
  CHECK(t.salesforce.object_model == sf.object_model);
  CHECK(t.salesforce.allow_loopback == sf.allow_loopback);
  const CaptureConfig cap;
  CHECK(t.capture.categories == cap.categories);
  CHECK(t.capture.labels == cap.labels);
  CHECK(t.capture.match_objects == cap.match_objects);
  CHECK(t.capture.max_age_days == cap.max_age_days);
  CHECK(t.capture.max_body_chars == cap.max_body_chars);
  CHECK(t.capture.match_ttl_hours == cap.match_ttl_hours);
  CHECK(t.capture.miss_ttl_hours == cap.miss_ttl_hours);
  CHECK(t.capture.skip_internal == cap.skip_internal);
  CHECK(t.capture.skip_bulk == cap.skip_bulk);
  const GoogleConfig g;
  CHECK(c.tenants[1].google.customer == g.customer);
  CHECK(c.tenants[1].google.api_url == g.api_url);
  CHECK(c.tenants[1].google.directory_url == g.directory_url);
  CHECK(c.tenants[1].google.page_size == g.page_size);
  const ExchangeConfig x;
  CHECK(c.tenants[2].exchange.ews_url == x.ews_url);
  CHECK(c.tenants[2].exchange.page_size == x.page_size);
}

// The [tenants.exchange] table: defaults, graph_url, bounds, unknown keys.
#include <catch2/catch.hpp>

#include "crmsync/engine/config.hpp"

using namespace crmsync::engine;

namespace {

std::string ExchangeToml(const std::string& exchange_extra) {
  return R"(
[[tenants]]
id = "contoso"
domains = ["contoso.example"]
[tenants.exchange]
tenant_id = "t"
client_id = "c"
client_secret = "ews-secret-value"
)" + exchange_extra + R"(
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
refresh_token = "rt"
)";
}

}  // namespace

TEST_CASE("an Exchange tenant loads with EWS and Graph defaults", "[config][ews]") {
  auto config = ParseConfig(ExchangeToml(""), "crmsync.toml");
  REQUIRE(config.ok());
  const TenantConfig& t = config->tenants.at(0);
  CHECK(t.provider == MailProvider::kExchange);
  CHECK(t.exchange.ews_url == "https://outlook.office365.com/EWS/Exchange.asmx");
  CHECK(t.exchange.graph_url == "https://graph.microsoft.com");
  CHECK(t.exchange.page_size == 100);
}

TEST_CASE("an Exchange tenant takes graph_url, ews_url and page_size", "[config][ews]") {
  auto config = ParseConfig(ExchangeToml("ews_url = \"https://mail.contoso.example/EWS/Exchange.asmx\"\n"
                                   "graph_url = \"https://127.0.0.1:9\"\npage_size = 512\n"),
                            "crmsync.toml");
  REQUIRE(config.ok());
  const ExchangeConfig& e = config->tenants.at(0).exchange;
  CHECK(e.ews_url == "https://mail.contoso.example/EWS/Exchange.asmx");
  CHECK(e.graph_url == "https://127.0.0.1:9");
  CHECK(e.page_size == 512);
}

TEST_CASE("Exchange settings out of range or unknown are refused without echoing the secret", "[config][ews]") {
  for (const char* bad : {"page_size = 513\n", "graph_url = \"not a url\"\n", "graph_uri = \"https://x\"\n"}) {
    INFO(bad);
    auto config = ParseConfig(ExchangeToml(bad), "crmsync.toml");
    REQUIRE_FALSE(config.ok());
    CHECK_THAT(config.status().message(), Catch::Contains("exchange."));
    CHECK_THAT(config.status().message(), !Catch::Contains("ews-secret-value"));
  }
}

// Salesforce credentials go only to Salesforce hosts.
#include <catch2/catch.hpp>

#include "crmsync/salesforce/host_allowlist.hpp"

using crmsync::salesforce::CheckSalesforceUrl;

TEST_CASE("salesforce hosts: real Salesforce domains are accepted", "[salesforce][allowlist]") {
  for (const char* url : {"https://login.salesforce.com", "https://test.salesforce.com/",
                          "https://acme.my.salesforce.com/services/oauth2/token",
                          "https://acme--uat.sandbox.my.salesforce.com", "https://acme.lightning.force.com",
                          "https://partners.my.site.com/portal", "https://acme.siteforce.com",
                          "https://na1.salesforce.com", "https://LOGIN.SALESFORCE.COM", "https://force.com",
                          "https://acme.my.salesforce.com:443", "https://login.salesforce.com./"}) {
    INFO(url);
    CHECK(CheckSalesforceUrl(url, false).ok());
  }
}

TEST_CASE("salesforce hosts: lookalikes, other schemes and user info are refused with the reason", "[salesforce][allowlist]") {
  struct Row {
    const char* url;
    const char* says;
  };
  for (const Row& row : {Row{"https://evil-salesforce.com", "host evil-salesforce.com refused: not a Salesforce domain"},
                         Row{"https://salesforce.com.attacker.io", "host salesforce.com.attacker.io refused"},
                         Row{"https://my.site.com.evil.example", "not a Salesforce domain"},
                         Row{"https://notforce.com", "not a Salesforce domain"},
                         Row{"https://site.com", "not a Salesforce domain"},
                         Row{"http://login.salesforce.com", "over https only"},
                         Row{"ftp://login.salesforce.com", "over https only"},
                         Row{"https://user:pw@login.salesforce.com", "must not carry a user name or password"},
                         Row{"https://evil.example#@login.salesforce.com", "not a Salesforce domain"},
                         Row{"login.salesforce.com", "not a valid URL"},
                         Row{"https://127.0.0.1:8443", "allowed only for the simulator"},
                         Row{"https://localhost", "allowed only for the simulator"}}) {
    INFO(row.url);
    const auto status = CheckSalesforceUrl(row.url, false);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains(row.says));
    CHECK_THAT(status.message(), !Catch::Contains("pw"));
  }
}

TEST_CASE("salesforce hosts: the simulator's loopback host needs the test flag", "[salesforce][allowlist]") {
  CHECK(CheckSalesforceUrl("https://127.0.0.1:8443", true).ok());
  CHECK(CheckSalesforceUrl("http://127.0.0.1:8443", true).ok());   // plain-HTTP benchmark mode
  CHECK(CheckSalesforceUrl("https://localhost:9", true).ok());
  CHECK_FALSE(CheckSalesforceUrl("http://evil.example", true).ok());
  CHECK_FALSE(CheckSalesforceUrl("https://evil-salesforce.com", true).ok());
}

// [tenants.budget], backfill job ids and window dates.
#include <catch2/catch.hpp>

#include <string>

#include "crmsync/engine/backfill.hpp"
#include "crmsync/engine/config.hpp"

using namespace crmsync::engine;

namespace {
const std::string kTenant = R"(
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

TEST_CASE("[tenants.budget] loads, defaults, and names what is wrong", "[config][budget]") {
  auto none = ParseConfig(kTenant, "c.toml");
  REQUIRE(none.ok());
  CHECK(none->tenants[0].budget.daily_salesforce_calls == 0);
  CHECK(none->tenants[0].budget.backfill_share_percent == 50);

  auto set = ParseConfig(kTenant + "[tenants.budget]\ndaily_salesforce_calls = 50000\nbackfill_share_percent = 30\n",
                         "c.toml");
  REQUIRE(set.ok());
  CHECK(set->tenants[0].budget.daily_salesforce_calls == 50000);
  CHECK(set->tenants[0].budget.backfill_share_percent == 30);

  auto range = ParseConfig(kTenant + "[tenants.budget]\nbackfill_share_percent = 0\n", "c.toml");
  REQUIRE_FALSE(range.ok());
  CHECK_THAT(range.status().message(), Catch::Contains("budget.backfill_share_percent"));
  CHECK_THAT(range.status().message(), Catch::Contains("out of range 1..100"));

  auto typo = ParseConfig(kTenant + "[tenants.budget]\ndaily_salesforce_call = 5\n", "c.toml");
  REQUIRE_FALSE(typo.ok());
  CHECK_THAT(typo.status().message(), Catch::Contains("daily_salesforce_call"));
}

TEST_CASE("a backfill job id depends on the window and the selection only", "[backfill]") {
  BackfillWindow a{1000, 2000, "acme", {"b@acme.example", "a@acme.example"}, ""};
  BackfillWindow same{1000, 2000, "acme", {"a@acme.example", "b@acme.example", "a@acme.example"}, "ignored"};
  CHECK(BackfillJobId(a) == BackfillJobId(same));
  CHECK(BackfillJobId(a).size() == 16);
  BackfillWindow later = a;
  later.until_unix = 2001;
  BackfillWindow other_tenant = a;
  other_tenant.tenant = "other";
  BackfillWindow fewer = a;
  fewer.users.pop_back();
  CHECK(BackfillJobId(later) != BackfillJobId(a));
  CHECK(BackfillJobId(other_tenant) != BackfillJobId(a));
  CHECK(BackfillJobId(fewer) != BackfillJobId(a));
  CHECK(BackfillStreamKind(BackfillJobId(a), "mail") == "backfill/" + BackfillJobId(a) + "/mail");
}

TEST_CASE("backfill selection matches any alias of a user", "[backfill]") {
  crmsync::MailUser user{"id-1", "ann@acme.example", {"ann@acme.example", "a.smith@acme.example"}, true};
  CHECK(BackfillSelects(BackfillWindow{}, user));
  CHECK(BackfillSelects(BackfillWindow{0, 1, "", {"a.smith@acme.example"}, ""}, user));
  CHECK_FALSE(BackfillSelects(BackfillWindow{0, 1, "", {"bob@acme.example"}, ""}, user));
}

TEST_CASE("window dates are UTC days or instants, anything else is named", "[backfill]") {
  CHECK(ParseUtcDate("2026-11-01", "--since").value() == 1793491200);
  CHECK(ParseUtcDate("2026-11-01T00:00:10Z", "--since").value() == 1793491210);
  for (const char* bad : {"2026-13-01", "2026-11-01T00:00:10", "yesterday", "", "2026-11-01 ", "2026-11-01T25:00:00Z"}) {
    auto r = ParseUtcDate(bad, "--until");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("--until '" + std::string(bad) + "' is not a date"));
  }
}

TEST_CASE("a backfill's share of a concurrency limit rounds down but is at least 1", "[backfill]") {
  using crmsync::engine::BackfillConcurrency;
  CHECK(BackfillConcurrency(4, 100) == 4);   // a scheduled run: the whole limit
  CHECK(BackfillConcurrency(4, 50) == 2);
  CHECK(BackfillConcurrency(4, 25) == 1);
  CHECK(BackfillConcurrency(4, 10) == 1);    // never 0: a backfill always progresses
  CHECK(BackfillConcurrency(7, 50) == 3);
  CHECK(BackfillConcurrency(64, 75) == 48);
  CHECK(BackfillConcurrency(1, 1) == 1);
}

// CRM matching at scale: a 200-user organization resolves its participants
// with far fewer SOQL calls than distinct addresses, and with
// prime_crm_cache every SOQL call is a page of the priming pass.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// Turns prime_crm_cache on in the configuration crmsync-sim wrote (one tenant).
void EnablePriming(const std::string& config_path) {
  std::string config = ReadFile(config_path);
  const std::string table = "[tenants.capture]";
  const auto at = config.find(table);
  if (at == std::string::npos) {
    // No capture table (automatic rules): the file ends with the tenant's tables.
    config += "\n[tenants.capture]\nprime_crm_cache = true\n";
  } else {
    const auto line_end = config.find('\n', at);
    REQUIRE(line_end != std::string::npos);
    config.insert(line_end + 1, "prime_crm_cache = true\n");
  }
  WriteFile(config_path, config);
}

std::int64_t SimQueries(const SimProcess& sim) {
  return JsonInt(sim.Get("/_sim/stats"), std::vector<std::string>{"endpoints", "sf.query", "200"});
}

}  // namespace

TEST_CASE("a 200-user run spends far fewer SOQL queries than distinct addresses", "[crm_cache]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "7", "--users", "200", "--messages", "5"});
  const std::string report = dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.unexpected == 0);
  const std::string json = ReadFile(report);
  INFO(json);
  const std::int64_t queries = JsonInt(json, "tenants.0.api_calls.soql_queries");
  const std::int64_t addresses = JsonInt(json, "tenants.0.api_calls.distinct_addresses");
  CHECK(queries > 0);
  CHECK(queries == SimQueries(sim));
  CHECK(addresses > 100);
  CHECK(queries * 10 < addresses);
}

TEST_CASE("with prime_crm_cache every SOQL query is a priming page", "[crm_cache]") {
  // Over 2,000 Contacts, so the priming pass follows nextRecordsUrl: seed 7
  // gives 2,503 Contacts (pages of 2,000 and 503) and 1,639 Leads (one page).
  const std::vector<std::string> corpus{"--seed", "7", "--users", "200", "--contacts-per-tenant", "5000"};
  constexpr std::int64_t kPrimingPages = 3;

  // The same organization without mail: the set-up's own SOQL (Salesforce
  // users of the mailboxes), which runs whether or not the cache is primed.
  std::int64_t setup_queries = -1;
  {
    TempDir dir;
    auto args = corpus;
    args.insert(args.end(), {"--messages", "0"});
    SimProcess sim(dir.path(), args);
    EnablePriming(sim.config_path());
    const std::string report = dir.path() + "/report.json";
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report});
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    const std::string json = ReadFile(report);
    CHECK(JsonInt(json, "tenants.0.api_calls.distinct_addresses") == 0);
    setup_queries = JsonInt(json, "tenants.0.api_calls.soql_queries");
    CHECK(setup_queries == SimQueries(sim));
  }

  TempDir dir;
  auto args = corpus;
  args.insert(args.end(), {"--messages", "5"});
  SimProcess sim(dir.path(), args);
  EnablePriming(sim.config_path());
  const std::string report = dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 0);
  CHECK(v.missing == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  const std::string json = ReadFile(report);
  INFO(json);
  const std::int64_t queries = JsonInt(json, "tenants.0.api_calls.soql_queries");
  CHECK(queries == SimQueries(sim));
  CHECK(JsonInt(json, "tenants.0.api_calls.distinct_addresses") > 100);
  // No per-address query at all: only the set-up's and the priming pages.
  CHECK(queries - setup_queries == kPrimingPages);
}

// Google Workspace organizations: a service account with domain-wide
// delegation, `crmsync connect google`, and mixed runs with Microsoft 365.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "harness.hpp"
#include "verify_checks.hpp"

using namespace crmsync::harness;

namespace {

std::string KeyFile(const TempDir& dir, const std::string& tenant) {
  return dir.path() + "/" + tenant + "-service-account.json";
}

// One run on the state in `dir`; its report.
std::string RunForReport(const SimProcess& sim, const TempDir& dir) {
  const std::string report = dir.path() + "/report.json";
  auto result = RunCrmsync(
      {"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report, "--quiet"});
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  return ReadFile(report);
}

}  // namespace

TEST_CASE("a mixed run of Google and Microsoft organizations completes exactly once", "[google]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "21", "--tenants", "4", "--users", "30", "--messages", "12",
                              "--providers", "graph,gmail", "--token-ttl", "2"});
  const std::string config = ReadFile(sim.config_path());
  CHECK(config.find("[tenants.google]") != std::string::npos);
  CHECK(config.find("[tenants.microsoft]") != std::string::npos);
  const std::string report = dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 100);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.isolation_violations == 0);
  for (const char* tenant : {"tenant-1", "tenant-2", "tenant-3", "tenant-4"}) {
    INFO(tenant);
    CHECK(JsonInt(v.raw, std::string("tenants.") + tenant + ".present") > 0);
  }
  CHECK(JsonInt(ReadFile(report), "totals.captured") == v.expected);
}

TEST_CASE("crmsync connect google validates the key, tests delegation and stores the key sealed", "[google]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "8", "--tenants", "2", "--users", "5", "--messages", "4",
                              "--providers", "gmail"});
  const std::string state = dir.path() + "/state";
  const std::string key_file = KeyFile(dir, "tenant-1");
  const std::string key_json = ReadFile(key_file);
  REQUIRE((key_json.find("\"type\": \"service_account\"") != std::string::npos ||
           key_json.find("\"type\":\"service_account\"") != std::string::npos));
  auto connect = [&](const std::string& tenant, const std::string& file) {
    return RunCrmsync({"connect", "google", "--config", sim.config_path(), "--tenant", tenant, "--key-file", file,
                       "--state", state});
  };

  SECTION("a valid key connects, shows the account, and is stored sealed") {
    auto result = connect("tenant-1", key_file);
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.output, Catch::Contains("Project ID:"));
    CHECK_THAT(result.output, Catch::Contains("Client ID:"));
    CHECK_THAT(result.output, Catch::Contains("iam.gserviceaccount.com"));
    CHECK_THAT(result.output, Catch::Contains("Connection:     Connected"));
    CHECK_THAT(result.output, !Catch::Contains("PRIVATE KEY"));
    // The state holds no plaintext key; the run works from the sealed key alone.
    std::string config = ReadFile(sim.config_path());
    const std::size_t at = config.find("key_file = ");
    REQUIRE(at != std::string::npos);
    config.erase(at, config.find('\n', at) - at);
    WriteFile(sim.config_path(), config);
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--quiet"});
    INFO(run.output);
    CHECK(JsonInt(sim.Get("/_sim/verify"), "tenants.tenant-1.missing") == 0);
  }
  SECTION("a file that is not a service-account key is refused with its cause") {
    const std::string bogus = dir.path() + "/bogus.json";
    WriteFile(bogus, R"({"type":"authorized_user","client_id":"x"})");
    auto result = connect("tenant-1", bogus);
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.output, Catch::Contains("not a usable service-account key"));
    WriteFile(bogus, "{ this is not json");
    CHECK(connect("tenant-1", bogus).exit_code == 2);
  }
  SECTION("another service account's key is refused by its signature") {
    // tenant-2's key file, presented for tenant-1 whose client_email differs,
    // with tenant-1's identity pasted in: the signature cannot verify.
    std::string forged = ReadFile(KeyFile(dir, "tenant-2"));
    const auto email_at = [](const std::string& json) {
      const std::size_t k = json.find("\"client_email\"");
      const std::size_t start = json.find('"', json.find(':', k) + 1);
      return std::make_pair(start + 1, json.find('"', start + 1));
    };
    const auto [s1, e1] = email_at(key_json);
    const auto [s2, e2] = email_at(forged);
    forged.replace(s2, e2 - s2, key_json.substr(s1, e1 - s1));
    const std::string forged_file = dir.path() + "/forged.json";
    WriteFile(forged_file, forged);
    auto result = connect("tenant-1", forged_file);
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains("Disconnected"));
    CHECK_THAT(result.output, Catch::Contains("signature"));
  }
  SECTION("an unknown user is named") {
    auto result = RunCrmsync({"connect", "google", "--config", sim.config_path(), "--tenant", "tenant-1",
                              "--key-file", key_file, "--user", "nobody@nowhere.example", "--state", state});
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains("Disconnected"));
    CHECK_THAT(result.output, Catch::Contains("nobody@nowhere.example"));
  }
  SECTION("revoked delegation is explained with the Client ID to authorize") {
    sim.Post("/_sim/google/delegation", R"({"tenant":"tenant-1","granted":false})");
    auto result = connect("tenant-1", key_file);
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains("Disconnected"));
    CHECK_THAT(result.output, Catch::Contains("domain-wide delegation"));
  }
}

TEST_CASE("a historyId Gmail no longer knows falls back to a re-list, still exactly once", "[google]") {
  TempDir dir;
  // History is kept for one advance only: after two, the stored historyId is too old (404).
  SimProcess sim(dir.path(), {"--seed", "31", "--tenants", "1", "--users", "15", "--messages", "8",
                              "--providers", "gmail", "--gmail-history-retention", "1"});
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--report", dir.path() + "/report.json"};
  auto first = RunCrmsync(args);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  sim.Post("/_sim/advance", R"({"messages": 1})");
  sim.Post("/_sim/advance", R"({"messages": 1})");
  const std::string stats_before = sim.Get("/_sim/stats");
  auto second = RunCrmsync(args);
  INFO(second.output);
  CHECK(second.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  // The re-list re-read old mail: those records were already in the ledger, so nothing old was written.
  const std::string report = ReadFile(dir.path() + "/report.json");
  CHECK(JsonInt(report, "tenants.0.skipped.already_captured") > 0);
  const std::string stats_after = sim.Get("/_sim/stats");
  CHECK(JsonInt(stats_after, std::vector<std::string>{"endpoints", "gmail.history", "404"}) > 0);   // the fallback really ran
  CHECK(JsonInt(stats_after, "records_updated") == JsonInt(stats_before, "records_updated"));
}

TEST_CASE("the next run reuses the tokens the last run was granted: an idle run asks for none", "[google][tokens]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "22", "--tenants", "2", "--users", "5", "--messages", "4", "--providers",
                              "gmail,graph", "--token-ttl", "3599"});
  auto run = [&] { return RunForReport(sim, dir); };
  const std::string full = run();
  // The Gmail tenant: the Directory admin's token and one per mailbox; Graph: the application's.
  CHECK(JsonInt(full, "tenants.0.api_calls.mail_token_grants") == 6);
  CHECK(JsonInt(full, "tenants.1.api_calls.mail_token_grants") == 1);

  const std::string idle = run();
  CHECK(JsonInt(idle, "tenants.0.api_calls.mail_token_grants") == 0);
  CHECK(JsonInt(idle, "tenants.1.api_calls.mail_token_grants") == 0);
  CHECK(JsonInt(idle, "tenants.0.api_calls.salesforce_token_grants") == 0);
  CHECK(JsonInt(idle, "totals.errors") == 0);
  CheckMailExact(ParseVerify(sim.Get("/_sim/verify")));
}

TEST_CASE("kept tokens past their use are granted again", "[google][tokens]") {
  TempDir dir;
  // 2-second tokens: a kept one may be used for 1 second.
  SimProcess sim(dir.path(), {"--seed", "23", "--tenants", "1", "--users", "4", "--messages", "3", "--providers",
                              "gmail", "--token-ttl", "2"});
  auto run = [&] { return RunForReport(sim, dir); };
  run();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500) * TestTimeScale());
  CHECK(JsonInt(run(), "tenants.0.api_calls.mail_token_grants") >= 5);
  CheckMailExact(ParseVerify(sim.Get("/_sim/verify")));
}

// One real path end to end: Microsoft 365 mailboxes -> Salesforce, over HTTPS.
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace crmsync::harness;

TEST_CASE("crmsync and crmsync-sim run on the allocator the build chose, and --version says which", "[e2e]") {
  // CRMSYNC_ALLOCATOR=jemalloc links jemalloc into both programs; a build
  // where the link silently fell back to glibc would lose ~25 % of the
  // engine's throughput (bench/RESULTS.md) without any test noticing.
  const std::string expected = std::string(CRMSYNC_ALLOCATOR) == "jemalloc" ? "allocator: jemalloc 5." : "allocator: system";
  for (const std::string& binary : {CrmsyncBinary(), SimBinary()}) {
    const ProcessResult version = RunProcess({binary, "--version"}, std::chrono::seconds(30));
    INFO(binary << ": " << version.output);
    CHECK(version.exit_code == 0);
    CHECK(version.output.find("0.1.0") != std::string::npos);
    CHECK(version.output.find(expected) != std::string::npos);
  }
}

TEST_CASE("3 tenants x 200 users x 40 messages are captured exactly once", "[e2e]") {
  TempDir dir;
  // Access tokens and Salesforce sessions live one second: the run outlives
  // them, so both refresh paths (Graph 401, Salesforce INVALID_SESSION_ID) run.
  SimProcess sim(dir.path(), {"--seed", "7", "--tenants", "3", "--users", "200", "--messages", "40",
                              "--token-ttl", "1"});
  const std::string report = dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                         "--report", report});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 1000);
  CHECK(v.present == v.expected);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.isolation_violations == 0);
  // The run report agrees with the simulator's ground truth.
  const std::string json = ReadFile(report);
  CHECK(JsonInt(json, "totals.captured") == v.expected);
  CHECK(JsonInt(json, "totals.errors") == 0);
  std::int64_t grants = 0;
  for (int t = 0; t < 3; ++t) {
    grants += JsonInt(json, "tenants." + std::to_string(t) + ".api_calls.mail_token_grants");
    grants += JsonInt(json, "tenants." + std::to_string(t) + ".api_calls.salesforce_token_grants");
  }
  INFO("token grants: " << grants);
  // Nothing fetched is silently dropped: every message read is accounted for.
  for (int t = 0; t < 3; ++t) {
    const std::string p = "tenants." + std::to_string(t) + ".";
    std::int64_t skipped = 0;
    for (const char* reason : {"draft", "no_message_id", "auto_reply", "bulk", "internal_only", "no_crm_match", "already_captured"}) {
      skipped += JsonInt(json, p + "skipped." + reason);
    }
    const std::int64_t accounted = JsonInt(json, p + "captured") + skipped + JsonInt(json, p + "deduplicated") +
                                   JsonInt(json, p + "quarantined") + JsonInt(json, p + "not_terminal");
    CHECK(JsonInt(json, p + "messages_read") == accounted);
    CHECK(JsonInt(json, p + "skipped.internal_only") > 0);
    CHECK(JsonInt(json, p + "deduplicated") > 0);
    // A first run: every ledger hit is a row this run wrote (another mailbox's copy), never "already captured".
    CHECK(JsonInt(json, p + "skipped.already_captured") == 0);
  }
  CHECK(grants > 6);
}

TEST_CASE("a broken configuration is a usage error naming file and key", "[e2e]") {
  TempDir dir;
  const std::string path = dir.path() + "/bad.toml";
  WriteFile(path, "[engine]\nmax_streams = 3\n[[tenants]]\nid = \"x\"\n");
  auto run = RunCrmsync({"run", "--config", path, "--state", dir.path() + "/state"});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Catch::Contains(path + ":2: unknown key 'engine.max_streams'"));
}

TEST_CASE("a wrong client secret fails only its tenant, without echoing the secret", "[e2e]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "3", "--tenants", "2", "--users", "5", "--messages", "4"});
  std::string config = ReadFile(sim.config_path());
  // Corrupt tenant-2's Microsoft client secret (the second client_secret line).
  std::size_t first = config.find("client_secret = \"");
  std::size_t second = config.find("client_secret = \"", config.find("[[tenants]]", first) );
  REQUIRE(second != std::string::npos);
  const std::size_t value_start = second + std::string("client_secret = \"").size();
  const std::size_t value_end = config.find('"', value_start);
  config.replace(value_start, value_end - value_start, "wrong-secret-value-123");
  WriteFile(sim.config_path(), config);
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(run.output);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.output, Catch::Contains("AADSTS7000215"));
  CHECK_THAT(run.output, !Catch::Contains("wrong-secret-value-123"));
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "tenants.tenant-1.missing") == 0);
  CHECK(JsonInt(v.raw, "tenants.tenant-2.present") == 0);
}

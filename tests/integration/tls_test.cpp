// HTTPS failures fail only the affected tenant, with a message naming the
// host and the reason, and `crmsync status` shows it.
#include <catch2/catch.hpp>

#include <regex>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// Renames the tenants of a simulator's configuration so that two
// simulators' configurations can be joined into one.
std::string RenameTenants(const std::string& config, const std::string& prefix) {
  return std::regex_replace(config, std::regex(R"re(id = "tenant-)re"), "id = \"" + prefix + "-");
}

// Everything from the first [[tenants]] on.
std::string TenantBlocks(const std::string& config) { return config.substr(config.find("[[tenants]]")); }

struct Outcome {
  ProcessResult run;
  std::string status;
};

// Runs one configuration holding the healthy simulator's tenants and the
// broken simulator's tenants (renamed "broken-N").
Outcome RunAgainstBoth(const TempDir& dir, const SimProcess& healthy, const std::string& broken_config) {
  const std::string path = dir.path() + "/joined.toml";
  WriteFile(path, ReadFile(healthy.config_path()) + "\n" + TenantBlocks(RenameTenants(broken_config, "broken")));
  const std::string state = dir.path() + "/state";
  Outcome outcome;
  outcome.run = RunCrmsync({"run", "--config", path, "--state", state});
  outcome.status = RunCrmsync({"status", "--config", path, "--state", state}).output;
  return outcome;
}

void CheckHealthyComplete(const SimProcess& healthy) {
  const Verify v = ParseVerify(healthy.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 0);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
}

}  // namespace

TEST_CASE("a wrong CA fails only the tenant that trusts it", "[tls]") {
  TempDir dir, other_dir;
  SimProcess healthy(dir.path(), {"--seed", "1", "--tenants", "1", "--users", "10", "--messages", "5"});
  SimProcess other(other_dir.path(), {"--seed", "2", "--tenants", "1", "--users", "3", "--messages", "2"});
  // The broken tenant talks to the healthy simulator but trusts another CA.
  std::string broken = ReadFile(healthy.config_path());
  for (std::size_t at = broken.find(healthy.ca_file()); at != std::string::npos;
       at = broken.find(healthy.ca_file(), at + other.ca_file().size())) {
    broken.replace(at, healthy.ca_file().size(), other.ca_file());
  }
  auto outcome = RunAgainstBoth(dir, healthy, broken);
  INFO(outcome.run.output);
  CHECK(outcome.run.exit_code == 3);
  CHECK_THAT(outcome.run.output, Catch::Contains("broken-1"));
  CHECK_THAT(outcome.run.output, Catch::Contains("127.0.0.1:" + std::to_string(healthy.port())));
  CHECK_THAT(outcome.run.output, Catch::Contains("certificate"));
  INFO(outcome.status);
  CHECK_THAT(outcome.status, Catch::Matches(R"((.|\n)*broken-1 +Disconnected +failed(.|\n)*)"));
  CHECK_THAT(outcome.status, Catch::Matches(R"((.|\n)*tenant-1 +Connected +ok(.|\n)*)"));
  CheckHealthyComplete(healthy);
}

TEST_CASE("an expired server certificate fails only its tenant", "[tls]") {
  TempDir dir, expired_dir;
  SimProcess healthy(dir.path(), {"--seed", "1", "--tenants", "1", "--users", "10", "--messages", "5"});
  SimProcess expired(expired_dir.path(), {"--seed", "2", "--tenants", "1", "--users", "3", "--messages", "2",
                                          "--expired-cert"});
  auto outcome = RunAgainstBoth(dir, healthy, ReadFile(expired.config_path()));
  INFO(outcome.run.output);
  CHECK(outcome.run.exit_code == 3);
  CHECK_THAT(outcome.run.output, Catch::Contains("127.0.0.1:" + std::to_string(expired.port())));
  CHECK_THAT(outcome.run.output, Catch::Contains("expired"));
  CHECK_THAT(outcome.status, Catch::Matches(R"((.|\n)*broken-1 +Disconnected +failed(.|\n)*)"));
  CheckHealthyComplete(healthy);
}

TEST_CASE("a host-name mismatch fails only its tenant", "[tls]") {
  TempDir dir, mismatch_dir;
  SimProcess healthy(dir.path(), {"--seed", "1", "--tenants", "1", "--users", "10", "--messages", "5"});
  SimProcess mismatch(mismatch_dir.path(), {"--seed", "2", "--tenants", "1", "--users", "3", "--messages", "2",
                                            "--cert-hosts", "other.example"});
  auto outcome = RunAgainstBoth(dir, healthy, ReadFile(mismatch.config_path()));
  INFO(outcome.run.output);
  CHECK(outcome.run.exit_code == 3);
  CHECK_THAT(outcome.run.output, Catch::Contains("127.0.0.1:" + std::to_string(mismatch.port())));
  CHECK_THAT(outcome.run.output, Catch::Contains("127.0.0.1") && Catch::Contains("match"));
  CHECK_THAT(outcome.status, Catch::Matches(R"((.|\n)*broken-1 +Disconnected +failed(.|\n)*)"));
  CheckHealthyComplete(healthy);
}

TEST_CASE("plain HTTP is available for measurements and still captures everything", "[tls]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "4", "--tenants", "1", "--users", "20", "--messages", "5", "--plain-http"});
  CHECK(ReadFile(sim.config_path()).find("http://127.0.0.1") != std::string::npos);
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.missing == 0);
}

TEST_CASE("HTTP/2 (--http2): the engine multiplexes its requests and captures everything exactly once", "[tls][http2]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "5", "--tenants", "2", "--users", "10", "--messages", "5", "--providers",
                              "graph,gmail", "--http2"});
  CHECK(ReadFile(sim.config_path()).find("https://127.0.0.1") != std::string::npos);
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));   // the harness's own client speaks h2 too
  INFO(v.raw);
  CHECK(v.expected > 0);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
}

TEST_CASE("crmsync-sim --http2 with --plain-http is a usage error", "[tls][http2]") {
  auto result = RunProcess({SimBinary(), "--http2", "--plain-http"}, std::chrono::seconds(30));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Catch::Contains("--http2") && Catch::Contains("HTTPS only"));
}

// crmsync doctor against crmsync-sim: all green on a healthy simulator; a
// missing Crmsync_Key__c, a wrong client secret and an unreachable endpoint
// each named with a fix, and no secret in the output.
#include <catch2/catch.hpp>

#include <string>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// Replaces the value of the `nth` (0-based) line `key = "..."` of the TOML text.
std::string ReplaceValue(std::string text, const std::string& key, int nth, const std::string& value,
                         std::string* old_value = nullptr) {
  std::size_t at = 0;
  for (int i = 0; i <= nth; ++i) {
    at = text.find("\n" + key + " = \"", i == 0 ? 0 : at + 1);
    REQUIRE(at != std::string::npos);
  }
  const std::size_t start = at + key.size() + 5;
  const std::size_t end = text.find('"', start);
  if (old_value != nullptr) *old_value = text.substr(start, end - start);
  text.replace(start, end - start, value);
  return text;
}

}  // namespace

TEST_CASE("doctor passes every check against a healthy simulator", "[ops][doctor]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "2", "--tenants", "1", "--users", "2", "--messages", "1"});
  auto doctor = RunCrmsync({"doctor", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(doctor.output);
  CHECK(doctor.exit_code == 0);
  CHECK_THAT(doctor.output, Catch::Contains("ok    state  state opens consistently"));
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-1  mailbox token grant"));
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-1  salesforce token grant"));
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-1  salesforce Task.Crmsync_Key__c is an external id"));
  CHECK_THAT(doctor.output, Catch::Contains("all checks passed"));
  CHECK_THAT(doctor.output, !Catch::Contains("FAIL"));
}

TEST_CASE("doctor names a missing field, a bad credential and an unreachable endpoint", "[ops][doctor]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "2", "--tenants", "2", "--users", "2", "--messages", "1",
                              "--sf-missing-key-field", "Task"});
  std::string config = ReadFile(sim.config_path());
  std::string real_secret;
  // tenant-1: a wrong Microsoft client secret (its first client_secret line).
  config = ReplaceValue(config, "client_secret", 0, "doctor-planted-wrong-secret-4711", &real_secret);
  // tenant-2: Graph on a closed port (the second graph_url line).
  config = ReplaceValue(config, "graph_url", 1, "https://127.0.0.1:1");
  const std::string path = dir.path() + "/doctor.toml";
  WriteFile(path, config);

  auto doctor = RunCrmsync({"doctor", "--config", path, "--state", dir.path() + "/state"});
  INFO(doctor.output);
  CHECK(doctor.exit_code == 1);
  // The bad credential.
  CHECK_THAT(doctor.output, Catch::Contains("FAIL  tenant-1  mailbox token grant: "));
  CHECK_THAT(doctor.output, Catch::Contains("fix: check tenants.microsoft.tenant_id, client_id and client_secret"));
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-2  mailbox token grant"));
  // The unreachable endpoint.
  CHECK_THAT(doctor.output,
             Catch::Contains("FAIL  tenant-2  endpoint microsoft.graph_url https://127.0.0.1:1 reachable, TLS valid: "
                             "cannot connect"));
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-1  endpoint microsoft.graph_url"));
  // The missing field, on both tenants' orgs.
  CHECK_THAT(doctor.output, Catch::Contains("FAIL  tenant-1  salesforce Task.Crmsync_Key__c is an external id: "
                                            "Task has no field Crmsync_Key__c"));
  CHECK_THAT(doctor.output, Catch::Contains("sf project deploy start --manifest package.xml"));
  CHECK_THAT(doctor.output, Catch::Contains("4 check(s) failed"));
  // No secret is echoed, wrong or right.
  CHECK_THAT(doctor.output, !Catch::Contains("doctor-planted-wrong-secret-4711"));
  CHECK_THAT(doctor.output, !Catch::Contains(real_secret));
}

TEST_CASE("doctor reports a state directory held by another process", "[ops][doctor]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "2", "--tenants", "1", "--users", "1", "--messages", "1"});
  const std::string file = dir.path() + "/not-a-dir";
  WriteFile(file, "x");
  auto doctor = RunCrmsync({"doctor", "--config", sim.config_path(), "--state", file});
  INFO(doctor.output);
  CHECK(doctor.exit_code == 1);
  CHECK_THAT(doctor.output, Catch::Contains("FAIL  state  directory " + file + " writable"));
  CHECK_THAT(doctor.output, Catch::Contains("fix: create the directory"));
}

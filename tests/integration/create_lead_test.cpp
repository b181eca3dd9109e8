// unknown_person = "create_lead" end to end (crmsync-sim --capture
// create-lead): every unknown external address of captured mail becomes
// exactly one Lead, written before the Task or EmailMessage that names it,
// for Graph and Gmail, Task and Enhanced Email; idle reruns and incremental
// runs create no second Lead.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "harness.hpp"
#include "verify_checks.hpp"

using namespace crmsync::harness;

namespace {

struct Case {
  const char* provider;
  const char* object;
};

constexpr int kTenants = 2;

std::int64_t SumOverTenants(const std::string& report, const std::string& field) {
  std::int64_t sum = 0;
  for (int t = 0; t < kTenants; ++t) {
    const std::int64_t n = JsonInt(report, "tenants." + std::to_string(t) + "." + field);
    if (n > 0) sum += n;
  }
  return sum;
}

void CheckExactlyOnce(const Verify& v, bool enhanced_email) {
  CheckMailExact(v);
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "leads.expected") > 0);
  CHECK(JsonInt(v.raw, "leads.missing") == 0);
  CHECK(JsonInt(v.raw, "leads.duplicates") == 0);
  CHECK(JsonInt(v.raw, "leads.unexpected") == 0);
  CHECK(JsonInt(v.raw, "leads.present") == JsonInt(v.raw, "leads.expected"));
  if (enhanced_email) CHECK(JsonInt(v.raw, "relations_missing") == 0);
}

}  // namespace

TEST_CASE("create_lead: one Lead per unknown external person, then the mail it makes capturable",
          "[capture][create_lead]") {
  auto c = GENERATE(Case{"graph", "task"}, Case{"gmail", "task"}, Case{"graph", "email-message"},
                    Case{"gmail", "email-message"});
  const bool enhanced_email = std::string(c.object) == "email-message";
  INFO("--providers " << c.provider << " --object " << c.object);
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "23", "--tenants", std::to_string(kTenants), "--users", "6", "--messages",
                              "10", "--providers", c.provider, "--capture", "create-lead", "--object", c.object});
  REQUIRE_THAT(ReadFile(sim.config_path()), Catch::Contains("unknown_person = \"create_lead\""));
  // The ground truth captures mail with only unknown external people.
  const std::string expected = sim.Get("/_sim/expected");
  INFO(expected);
  CHECK(JsonInt(expected, "total.no_crm_match") == 0);

  const std::string report_path = dir.path() + "/report.json";
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--report", report_path};
  auto first = RunCrmsync(args);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CheckExactlyOnce(v, enhanced_email);
  std::string report = ReadFile(report_path);
  INFO(report);
  CHECK(SumOverTenants(report, "leads_created") == JsonInt(v.raw, "leads.expected"));
  CHECK(SumOverTenants(report, "skipped.no_crm_match") == 0);
  CHECK(JsonInt(report, "totals.captured") == v.expected);

  // An idle rerun: nothing new, no Lead written again.
  auto second = RunCrmsync(args);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  report = ReadFile(report_path);
  CHECK(SumOverTenants(report, "leads_created") == 0);
  CheckExactlyOnce(ParseVerify(sim.Get("/_sim/verify")), enhanced_email);

  // New mail: people met before are matched to their Lead, new ones get theirs.
  const std::int64_t leads_before = JsonInt(v.raw, "leads.expected");
  sim.Post("/_sim/advance", R"({"messages":3})");
  auto third = RunCrmsync(args);
  INFO(third.output);
  REQUIRE(third.exit_code == 0);
  report = ReadFile(report_path);
  v = ParseVerify(sim.Get("/_sim/verify"));
  CheckExactlyOnce(v, enhanced_email);
  CHECK(SumOverTenants(report, "leads_created") == JsonInt(v.raw, "leads.expected") - leads_before);
}

TEST_CASE("create_lead with the default automatic rule set writes no Lead", "[capture][create_lead]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "23", "--tenants", "1", "--users", "4", "--messages", "6"});
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(JsonInt(v.raw, "leads.expected") == 0);
  CHECK(JsonInt(v.raw, "leads.present") == 0);
  CHECK(JsonInt(v.raw, "leads.unexpected") == 0);
}

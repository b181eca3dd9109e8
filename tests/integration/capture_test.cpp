// Capture rules end to end: for each rule set crmsync-sim emits (automatic,
// selective, exclusions) and each mail provider, the run leaves Salesforce
// exactly as the simulator's ground truth says, and the run report's skip
// reasons match the simulator's count of mailbox copies per reason.
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "verify_checks.hpp"

using namespace crmsync::harness;

namespace {

struct Case {
  const char* capture;
  const char* provider;
  std::vector<const char*> reasons;   // skip reasons this rule set makes happen
};

std::int64_t ReportSkipped(const std::string& report, int tenants, const std::string& reason) {
  std::int64_t sum = 0;
  for (int t = 0; t < tenants; ++t) {
    std::int64_t n = JsonInt(report, "tenants." + std::to_string(t) + ".skipped." + reason);
    if (n > 0) sum += n;
  }
  return sum;
}

}  // namespace

TEST_CASE("each emitted capture rule set is honoured exactly once, for Graph and Gmail (and EWS selective)", "[capture]") {
  const std::vector<const char*> automatic{"bulk", "auto_reply", "internal_only"};
  const std::vector<const char*> selective{"not_selected", "bulk", "auto_reply", "internal_only"};
  const std::vector<const char*> exclusions{"too_old", "excluded_address", "excluded_domain", "excluded_subject",
                                            "bulk", "auto_reply", "internal_only"};
  auto c = GENERATE_COPY(Case{"automatic", "graph", automatic}, Case{"automatic", "gmail", automatic},
                         Case{"selective", "graph", selective}, Case{"selective", "gmail", selective},
                         Case{"selective", "ews", selective},
                         Case{"exclusions", "graph", exclusions}, Case{"exclusions", "gmail", exclusions});
  INFO("--capture " << c.capture << " --providers " << c.provider);
  constexpr int kTenants = 2;
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "13", "--tenants", std::to_string(kTenants), "--users", "8", "--messages",
                              "20", "--providers", c.provider, "--capture", c.capture});
  const std::string report_path = dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report_path});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CheckMailExact(v);
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "detail_reads") > 0);

  const std::string expected = sim.Get("/_sim/expected");
  const std::string report = ReadFile(report_path);
  INFO(expected);
  INFO(report);
  CHECK(JsonInt(report, "totals.captured") == v.expected);
  for (const char* reason : c.reasons) {
    INFO(reason);
    const std::int64_t want = JsonInt(expected, std::vector<std::string>{"total", "copies", reason});
    CHECK(want > 0);   // the corpus makes every reason of this rule set happen
    CHECK(ReportSkipped(report, kTenants, reason) == want);
  }
}

// The simulator files 25% of the Inbox and Sent Items mail of two users in
// three into a top-level folder "CRM" (corpus.hpp). Read with folders = ["CRM"], that
// mail is captured exactly once, also when it is category-marked in Inbox
// too; without the folder in the configuration, it is missing.
TEST_CASE("selective capture reads the folder CRM of Graph and EWS mailboxes, and only with folders = [\"CRM\"]",
          "[capture][folders]") {
  const std::string provider = GENERATE(as<std::string>{}, "graph", "ews");
  INFO("--providers " << provider);
  constexpr int kTenants = 2, kUsers = 8;
  const std::vector<std::string> sim_args{"--seed", "29", "--tenants", std::to_string(kTenants), "--users",
                                          std::to_string(kUsers), "--messages", "20", "--providers", provider,
                                          "--capture", "selective"};
  TempDir with_dir, without_dir;
  SimProcess with(with_dir.path(), sim_args);
  SimProcess without(without_dir.path(), sim_args);
  const std::string config = ReadFile(without.config_path());
  const std::string folders_line = "folders = [\"CRM\"]";
  const std::size_t at = config.find(folders_line);
  REQUIRE(at != std::string::npos);
  WriteFile(without.config_path(), config.substr(0, at) + "folders = []" + config.substr(at + folders_line.size()));

  const std::string report_path = with_dir.path() + "/report.json";
  auto run = RunCrmsync({"run", "--config", with.config_path(), "--state", with_dir.path() + "/state", "--report",
                         report_path});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  const Verify v = ParseVerify(with.Get("/_sim/verify"));
  CheckMailExact(v);
  INFO(v.raw);
  const std::string report = ReadFile(report_path);
  INFO(report);
  // Inbox, Sent Items and the folder stream of every user (a user without the
  // folder lists its folders and ends).
  for (int t = 0; t < kTenants; ++t) CHECK(JsonInt(report, "tenants." + std::to_string(t) + ".streams") == 3 * kUsers);

  // New mail, filed too: the folder streams resume from their stored cursors.
  with.Post("/_sim/advance", R"({"messages": 4})");
  const Verify grown = ParseVerify(with.Get("/_sim/verify"));
  REQUIRE(grown.expected > v.expected);
  auto again = RunCrmsync({"run", "--config", with.config_path(), "--state", with_dir.path() + "/state", "--report",
                           report_path});
  INFO(again.output);
  CHECK(again.exit_code == 0);
  const Verify after = ParseVerify(with.Get("/_sim/verify"));
  INFO(after.raw);
  CHECK(after.missing == 0);
  CHECK(after.duplicates == 0);
  CHECK(after.unexpected == 0);
  CHECK(after.mismatched == 0);
  CHECK(JsonInt(ReadFile(report_path), "totals.captured") == grown.expected - v.expected);

  auto blind = RunCrmsync({"run", "--config", without.config_path(), "--state", without_dir.path() + "/state"});
  INFO(blind.output);
  CHECK(blind.exit_code == 0);
  const Verify missed = ParseVerify(without.Get("/_sim/verify"));
  INFO(missed.raw);
  CHECK(missed.expected == v.expected);
  CHECK(missed.missing > 0);   // mail marked only by its folder
  CHECK(missed.unexpected == 0);
  CHECK(missed.duplicates == 0);
}

TEST_CASE("crmsync-sim refuses --capture freebusy and unknown values with a usage error", "[capture]") {
  TempDir dir;
  for (const char* bad : {"freebusy", "everything"}) {
    INFO(bad);
    const std::string config = dir.path() + "/" + bad + ".toml";
    const std::string command = SimBinary() + " --plain-http --messages 1 --capture " + bad + " --write-config " + config +
                                " > " + dir.path() + "/out.txt 2>&1";
    const int status = std::system(command.c_str());
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    const std::string out = ReadFile(dir.path() + "/out.txt");
    CHECK_THAT(out, Catch::Contains("--capture"));
    if (std::string(bad) == "freebusy") CHECK_THAT(out, Catch::Contains("not supported yet"));
  }
}

TEST_CASE("crmsync-sim --object email-message only changes the written object model", "[capture]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "2", "--tenants", "2", "--users", "2", "--messages", "1", "--object",
                              "email-message", "--capture", "selective"});
  const std::string config = ReadFile(sim.config_path());
  std::size_t count = 0;
  for (std::size_t at = config.find("object_model = \"enhanced_email\""); at != std::string::npos;
       at = config.find("object_model = \"enhanced_email\"", at + 1)) {
    ++count;
  }
  CHECK(count == 2);
  CHECK(config.find("mode = \"selective\"") != std::string::npos);
}

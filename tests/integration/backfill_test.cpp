// crmsync backfill: a window of mail through streams of its own, resumable,
// sharing the ledger with scheduled runs. crmsync and crmsync-sim (Gmail
// tenants: the simulator lists a window with q=after:S before:U) as real
// processes; Graph and EWS tenants in backfill_microsoft_test.cpp.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "backfill_support.hpp"
#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// The admin_email of each tenant of a configuration written by crmsync-sim: a mailbox user.
std::vector<std::string> AdminEmails(const std::string& config_path) {
  const std::string config = ReadFile(config_path);
  std::vector<std::string> out;
  const std::regex admin(R"re(admin_email = "([^"]+)")re");
  for (auto it = std::sregex_iterator(config.begin(), config.end(), admin); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// The corpus's mail is sent in the 60 days before 2026-11-01/02: the older window
// holds a part of it, the newer the rest.
const std::vector<std::string> kCorpus = {"--seed", "17", "--tenants", "2", "--users", "25",
                                          "--messages", "24", "--providers", "gmail"};
const std::vector<std::string> kOlder = {"--since", "2026-08-01", "--until", "2026-10-01"};
const std::vector<std::string> kNewer = {"--since", "2026-10-01", "--until", "2026-12-01"};

}  // namespace

TEST_CASE("a backfill killed with SIGKILL and resumed captures exactly its window", "[backfill][crash]") {
  TempDir dir;
  // Reference: the same corpus, the older window backfilled without interruption.
  std::int64_t reference_present = -1;
  {
    std::filesystem::create_directories(dir.path() + "/reference");
    SimProcess clean(dir.path() + "/reference", kCorpus);
    UseSmallPages(clean.config_path(), "microsoft|google", 5);
    auto run = RunCrmsync(Args({"backfill", "--config", clean.config_path(), "--state", dir.path() + "/clean",
                                "--quiet"},
                               kOlder));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    reference_present = ParseVerify(clean.Get("/_sim/verify")).present;
  }
  SimProcess sim(dir.path(), kCorpus);
  UseSmallPages(sim.config_path(), "microsoft|google", 5);
  const std::string state = dir.path() + "/state";
  const auto older = Args({"backfill", "--config", sim.config_path(), "--state", state, "--quiet"}, kOlder);
  const int killed = RunKilledRounds(older, 4, 60, 500);
  auto resumed = RunCrmsync(Args(older, {"--report", dir.path() + "/older.json"}));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  INFO("backfills killed: " << killed);
  CHECK(killed >= 1);

  const Verify after_older = ParseVerify(sim.Get("/_sim/verify"));
  INFO(after_older.raw);
  CHECK(after_older.present == reference_present);   // exactly the window, killed or not
  CHECK(after_older.present > 0);
  CHECK(after_older.missing > 0);                     // the newer mail is not in the window
  CHECK(after_older.duplicates == 0);
  CHECK(after_older.unexpected == 0);

  // The same job again: every stream is done, nothing is read.
  auto again = RunCrmsync(Args(older, {"--report", dir.path() + "/again.json"}));
  REQUIRE(again.exit_code == 0);
  CHECK(JsonInt(ReadFile(dir.path() + "/again.json"), "totals.messages_read") == 0);
  CHECK(JsonInt(ReadFile(dir.path() + "/again.json"), "tenants.0.streams") == 0);

  // The newer window completes the mailboxes.
  auto newer = RunCrmsync(Args({"backfill", "--config", sim.config_path(), "--state", state, "--quiet"}, kNewer));
  INFO(newer.output);
  REQUIRE(newer.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 100);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
}

TEST_CASE("a backfill and scheduled runs over the same users write each record once", "[backfill]") {
  TempDir dir;
  SimProcess sim(dir.path(), kCorpus);
  UseSmallPages(sim.config_path(), "microsoft|google", 6);
  const std::string state = dir.path() + "/state";
  const std::string report = dir.path() + "/report.json";
  const std::vector<std::string> run = {"run", "--config", sim.config_path(), "--state", state, "--report", report,
                                        "--quiet"};

  // A scheduled run first, then a backfill of everything: nothing new to write.
  auto first = RunCrmsync(run);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const auto created = JsonInt(sim.Get("/_sim/stats"), "records_created");
  const auto users_file = dir.path() + "/users.txt";
  const auto admins = AdminEmails(sim.config_path());
  REQUIRE(admins.size() == 2);
  WriteFile(users_file, "# onboarded this week\n" + admins[0] + "\n\n  " + admins[1] + "  \n");
  auto backfill = RunCrmsync({"backfill", "--config", sim.config_path(), "--state", state, "--users-file",
                              users_file, "--since", "2026-01-01", "--until", "2027-01-01", "--report", report});
  INFO(backfill.output);
  REQUIRE(backfill.exit_code == 0);
  CHECK(backfill.output.find("2 user(s)") != std::string::npos);
  const std::string backfill_report = ReadFile(report);
  CHECK(JsonInt(backfill_report, "tenants.0.streams") == 1);   // one user per tenant, one Gmail stream
  CHECK(JsonInt(backfill_report, "tenants.1.streams") == 1);
  CHECK(JsonInt(backfill_report, "totals.messages_read") > 0);
  CHECK(JsonInt(backfill_report, "totals.captured") == 0);
  // Mail an earlier run captured, told apart from this run's own copies by the ledger rows' time.
  for (const char* t : {"tenants.0.", "tenants.1."}) {
    CHECK(JsonInt(backfill_report, std::string(t) + "skipped.already_captured") > 0);
    CHECK(JsonInt(backfill_report, std::string(t) + "deduplicated") == 0);
  }
  CHECK(JsonInt(sim.Get("/_sim/stats"), "records_created") == created);

  // The backfill did not move the scheduled cursors: the next run is incremental and idle.
  auto second = RunCrmsync(run);
  REQUIRE(second.exit_code == 0);
  CHECK(JsonInt(ReadFile(report), "totals.captured") == 0);
  CHECK(JsonInt(ReadFile(report), "totals.messages_read") == 0);

  // New users' history by backfill on a fresh state, scheduled runs on top of it.
  const std::string fresh = dir.path() + "/fresh";
  auto only = RunCrmsync({"backfill", "--config", sim.config_path(), "--state", fresh, "--user", admins[0],
                          "--since", "2026-01-01", "--until", "2027-01-01", "--quiet"});
  INFO(only.output);
  REQUIRE(only.exit_code == 0);
  auto scheduled = RunCrmsync({"run", "--config", sim.config_path(), "--state", fresh, "--report", report, "--quiet"});
  REQUIRE(scheduled.exit_code == 0);
  CHECK(JsonInt(ReadFile(report), "totals.messages_read") > 0);   // its own cursors started from scratch
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(JsonInt(sim.Get("/_sim/stats"), "records_created") == v.expected);
}

TEST_CASE("backfill arguments are checked and named", "[backfill]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "2", "--tenants", "1", "--users", "3", "--messages", "3", "--providers",
                              "gmail"});
  const std::vector<std::string> base = {"backfill", "--config", sim.config_path(), "--state", dir.path() + "/s",
                                         "--quiet"};
  SECTION("a users file line that is not an address names file:line") {
    WriteFile(dir.path() + "/users.txt", "a@b.example\nnot-an-address\n");
    auto r = RunCrmsync(Args(base, {"--since", "2026-01-01", "--users-file", dir.path() + "/users.txt"}));
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(dir.path() + "/users.txt:2: 'not-an-address' is not an email address") != std::string::npos);
  }
  SECTION("dates") {
    auto bad = RunCrmsync(Args(base, {"--since", "2026-13-45"}));
    CHECK(bad.exit_code == 2);
    CHECK(bad.output.find("--since '2026-13-45' is not a date") != std::string::npos);
    auto empty = RunCrmsync(Args(base, {"--since", "2026-10-01", "--until", "2026-10-01"}));
    CHECK(empty.exit_code == 2);
    CHECK(empty.output.find("the window is empty") != std::string::npos);
  }
  SECTION("an unknown user is an error, not a silent no-op") {
    auto r = RunCrmsync(Args(base, {"--since", "2026-01-01", "--user", "nobody@nowhere.example", "--report",
                                    dir.path() + "/r.json"}));
    CHECK(r.exit_code == 3);
    CHECK(ReadFile(dir.path() + "/r.json").find("backfill: user nobody@nowhere.example is not a user of any "
                                                 "organization") != std::string::npos);
  }
  SECTION("an unknown tenant") {
    auto r = RunCrmsync(Args(base, {"--since", "2026-01-01", "--tenant", "nope"}));
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("--tenant nope is not a tenant") != std::string::npos);
  }
}

namespace {

// Sets CRMSYNC_TODAY (the budget's day) for the crmsync processes this test starts.
class Today {
 public:
  explicit Today(const std::string& day) { setenv("CRMSYNC_TODAY", day.c_str(), 1); }
  ~Today() { unsetenv("CRMSYNC_TODAY"); }
  void Set(const std::string& day) { setenv("CRMSYNC_TODAY", day.c_str(), 1); }
};

}  // namespace

TEST_CASE("a daily Salesforce call budget stops a backfill cleanly and the next day continues it",
          "[backfill][budget]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "9", "--tenants", "1", "--users", "30", "--messages", "24", "--providers",
                              "gmail"});
  UseSmallPages(sim.config_path(), "microsoft|google", 3);
  const std::string config = ReadFile(sim.config_path());
  WriteFile(sim.config_path(),
            std::regex_replace(config, std::regex(R"(\[tenants\.salesforce\])"),
                               "[tenants.budget]\ndaily_salesforce_calls = 8\nbackfill_share_percent = 50\n$&"));
  const std::string state = dir.path() + "/state";
  const std::string report = dir.path() + "/report.json";
  const std::vector<std::string> backfill = {"backfill", "--config", sim.config_path(), "--state", state, "--since",
                                             "2026-01-01", "--until", "2027-01-01", "--report", report, "--quiet"};
  Today today("2026-11-24");
  auto first = RunCrmsync(backfill);
  INFO(first.output);
  CHECK(first.exit_code == 3);
  std::string json = ReadFile(report);
  INFO(json);
  CHECK(json.find("backfill stopped: tenant tenant-1 used ") != std::string::npos);
  CHECK(json.find("Salesforce calls on 2026-11-24 (UTC), its backfill share is 4 of daily_salesforce_calls = 8") !=
        std::string::npos);
  CHECK(json.find("\"stopped\":\"budget\"") != std::string::npos);
  CHECK(JsonInt(json, "streams_not_finished") > 0);
  const Verify day_one = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(day_one.present > 0);
  CHECK(day_one.missing > 0);
  CHECK(day_one.duplicates == 0);

  // The same day again: the share is used up, nothing is read.
  auto again = RunCrmsync(backfill);
  CHECK(again.exit_code == 3);
  CHECK(JsonInt(ReadFile(report), "totals.messages_read") == 0);
  CHECK(ParseVerify(sim.Get("/_sim/verify")).present == day_one.present);

  // Day after day the backfill continues where it stopped, until it is done.
  int days = 1;
  int exit_code = 3;
  for (int day = 25; day <= 30 + 24 && exit_code != 0; ++day) {
    today.Set(day <= 30 ? fmt::format("2026-11-{:02}", day) : fmt::format("2026-12-{:02}", day - 30));
    auto next = RunCrmsync(backfill);
    INFO(next.output);
    exit_code = next.exit_code;
    REQUIRE((exit_code == 0 || exit_code == 3));
    ++days;
  }
  INFO("days: " << days);
  CHECK(exit_code == 0);
  CHECK(days >= 2);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);

  // Scheduled runs are never stopped by the budget, only counted.
  auto scheduled = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--quiet"});
  INFO(scheduled.output);
  CHECK(scheduled.exit_code == 0);
}

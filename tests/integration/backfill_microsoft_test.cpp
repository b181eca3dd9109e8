// crmsync backfill for Microsoft 365 (Graph: messages with a receivedDateTime
// $filter, paged by nextLink) and Exchange (EWS FindItem with a
// DateTimeReceived Restriction, paged by offset) tenants. crmsync and
// crmsync-sim as real processes; the simulator's ground truth for the window
// is /_sim/verify?received_since=..&received_until=.. (only the mail received
// in the window is expected, anything else stored is unexpected).
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "backfill_support.hpp"
#include "harness.hpp"

using namespace crmsync::harness;

namespace {

std::vector<std::string> Corpus(const std::string& provider) {
  return {"--seed", "23", "--tenants", "1", "--users", "20", "--messages", "24", "--providers", provider};
}

// The corpus's mail is received in the 60 days before 2026-11-01/02. The
// boundary is not midnight, so a filter cut to the day would be caught.
const std::string kBoundary = "2026-10-01T12:34:56Z";
const std::vector<std::string> kOlder = {"--since", "2026-08-01", "--until", kBoundary};
const std::vector<std::string> kNewer = {"--since", kBoundary, "--until", "2026-12-01"};

Verify WindowTruth(const SimProcess& sim, const std::string& since, const std::string& until) {
  return ParseVerify(sim.Get("/_sim/verify?received_since=" + since + "&received_until=" + until));
}

}  // namespace

TEST_CASE("a Graph or EWS backfill killed with SIGKILL and resumed captures exactly its window",
          "[backfill][crash]") {
  const std::string provider = GENERATE(std::string("graph"), std::string("ews"));
  INFO("provider " << provider);
  TempDir dir;
  SimProcess sim(dir.path(), Corpus(provider));
  UseSmallPages(sim.config_path(), "microsoft|exchange", 3);
  const std::string state = dir.path() + "/state";
  const auto older = Args({"backfill", "--config", sim.config_path(), "--state", state, "--quiet"}, kOlder);
  const int killed = RunKilledRounds(older, 4, 40, 400);
  auto resumed = RunCrmsync(Args(older, {"--report", dir.path() + "/older.json"}));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  INFO("backfills killed: " << killed);
  CHECK(killed >= 1);

  const Verify window = WindowTruth(sim, "2026-08-01T00:00:00Z", kBoundary);
  INFO(window.raw);
  CHECK(window.expected > 20);
  CHECK(window.present == window.expected);
  CHECK(window.missing == 0);
  CHECK(window.duplicates == 0);
  CHECK(window.unexpected == 0);   // nothing received after the boundary
  CHECK(window.mismatched == 0);
  const Verify all = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(all.missing > 0);          // the newer mail is not in the window

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
  CHECK(v.expected > window.expected);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
}

TEST_CASE("a Graph or EWS backfill and scheduled runs over the same users write each record once", "[backfill]") {
  const std::string provider = GENERATE(std::string("graph"), std::string("ews"));
  INFO("provider " << provider);
  TempDir dir;
  SimProcess sim(dir.path(), Corpus(provider));
  UseSmallPages(sim.config_path(), "microsoft|exchange", 5);
  const std::string state = dir.path() + "/state";
  const std::string report = dir.path() + "/report.json";
  const std::vector<std::string> run = {"run", "--config", sim.config_path(), "--state", state, "--report", report,
                                        "--quiet"};
  const std::vector<std::string> everything = {"--since", "2026-01-01", "--until", "2027-01-01"};

  // A scheduled run first, then a backfill of everything: nothing new to write.
  auto first = RunCrmsync(run);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const auto created = JsonInt(sim.Get("/_sim/stats"), "records_created");
  auto backfill = RunCrmsync(Args({"backfill", "--config", sim.config_path(), "--state", state, "--report", report,
                                   "--quiet"},
                                  everything));
  INFO(backfill.output);
  REQUIRE(backfill.exit_code == 0);
  const std::string backfill_report = ReadFile(report);
  INFO(backfill_report);
  CHECK(JsonInt(backfill_report, "tenants.0.streams") == 40);   // 20 users, Inbox and Sent Items
  CHECK(JsonInt(backfill_report, "totals.messages_read") > 0);
  CHECK(JsonInt(backfill_report, "totals.captured") == 0);
  CHECK(JsonInt(sim.Get("/_sim/stats"), "records_created") == created);

  // The backfill did not move the scheduled cursors: the next run is incremental and idle.
  auto second = RunCrmsync(run);
  REQUIRE(second.exit_code == 0);
  CHECK(JsonInt(ReadFile(report), "totals.messages_read") == 0);
  CHECK(JsonInt(ReadFile(report), "totals.captured") == 0);

  // Onboarding on a fresh state: the history by backfill, then scheduled runs on top.
  const std::string fresh = dir.path() + "/fresh";
  auto only = RunCrmsync(Args({"backfill", "--config", sim.config_path(), "--state", fresh, "--quiet", "--report",
                               report},
                              everything));
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

namespace {

void SetBackfillShare(const std::string& config_path, int percent) {
  const std::string config = ReadFile(config_path);
  WriteFile(config_path, std::regex_replace(config, std::regex(R"(\[tenants\.salesforce\])"),
                                            "[tenants.budget]\nbackfill_share_percent = " + std::to_string(percent) +
                                                "\n$&"));
}

struct Peaks {
  std::int64_t mailbox = -1, org_writes = -1;
};

Peaks PeakInFlight(const SimProcess& sim) {
  const std::string limits = sim.Get("/_sim/limits");
  return {JsonInt(limits, "peak_in_flight.mailbox"), JsonInt(limits, "peak_in_flight.org_writes")};
}

}  // namespace

TEST_CASE("a backfill keeps to its share of the per-mailbox and per-org concurrency", "[backfill][limits]") {
  // crmsync-sim --limits realistic holds every request 60-120 ms and records
  // the most requests in flight at once on one mailbox and on one org.
  const std::vector<std::string> corpus = {"--seed", "31", "--tenants", "1", "--users", "20", "--messages", "60",
                                           "--providers", "graph", "--limits", "realistic"};
  const std::vector<std::string> everything = {"--since", "2026-01-01", "--until", "2027-01-01"};
  TempDir dir;

  // The whole limits first: a scheduled run reads a user's two folders at once.
  Peaks scheduled;
  {
    std::filesystem::create_directories(dir.path() + "/scheduled");
    SimProcess sim(dir.path() + "/scheduled", corpus);
    UseSmallPages(sim.config_path(), "microsoft|exchange", 10);
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/s1", "--quiet"});
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    scheduled = PeakInFlight(sim);
  }
  // backfill_share_percent = 25: one request per mailbox (of Outlook's 4), one
  // upsert per org (of max_writes_in_flight = 4).
  SimProcess sim(dir.path(), corpus);
  UseSmallPages(sim.config_path(), "microsoft|exchange", 10);
  SetBackfillShare(sim.config_path(), 25);
  auto backfill = RunCrmsync(Args({"backfill", "--config", sim.config_path(), "--state", dir.path() + "/s2",
                                   "--quiet"},
                                  everything));
  INFO(backfill.output);
  REQUIRE(backfill.exit_code == 0);
  const Peaks shared = PeakInFlight(sim);
  INFO("scheduled run peaks: mailbox " << scheduled.mailbox << ", org writes " << scheduled.org_writes);
  INFO("backfill peaks: mailbox " << shared.mailbox << ", org writes " << shared.org_writes);
  CHECK(scheduled.mailbox >= 2);
  CHECK(scheduled.org_writes >= 2);
  CHECK(shared.mailbox == 1);
  CHECK(shared.org_writes == 1);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
}

// Per-user Salesforce authorization end to end (authorization = "per_user",
// crmsync-sim --authorization per_user): users stay pending until their own
// refresh token is recorded, each user's mail is written with their own
// token and owned by them, one user's revoked token suspends that user only,
// and expired sessions are refreshed once per user.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <simdjson.h>

#include "consent_support.hpp"
#include "harness.hpp"

using namespace crmsync::harness;

TEST_CASE("per-user authorization: users are pending until connected, then write their own mail", "[per_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "31", "--tenants", "2", "--users", "6", "--messages", "40", "--providers",
                                "graph,gmail", "--authorization", "per_user"});
  CHECK_THAT(ReadFile(sim.config_path()), Catch::Contains("authorization = \"per_user\""));

  auto first = Run(sim, s);
  INFO(first.output);
  CHECK(first.exit_code == 0);
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.present == 0);
  std::map<std::string, std::vector<UserRow>> users;
  for (const std::string tenant : {"tenant-1", "tenant-2"}) {
    users[tenant] = Users(sim, s, tenant);
    REQUIRE(users[tenant].size() == 6);
    for (const auto& u : users[tenant]) {
      CHECK(u.status == "pending");
      CHECK(u.reason == "no Salesforce authorization recorded (crmsync connect salesforce --tenant " + tenant +
                            " --user " + u.address + ")");
    }
  }

  // No service account to connect on a per-user tenant.
  auto tenant_wide = RunCrmsync({"connect", "salesforce", "--config", sim.config_path(), "--state", s.state,
                                 "--tenant", "tenant-1", "--refresh-token-file", sim.config_path()});
  CHECK(tenant_wide.exit_code == 2);
  CHECK_THAT(tenant_wide.output, Catch::Contains("--user ADDRESS"));

  auto doctor = RunCrmsync({"doctor", "--config", sim.config_path(), "--state", s.state});
  INFO(doctor.output);
  CHECK(doctor.exit_code == 1);
  CHECK_THAT(doctor.output, Catch::Contains("FAIL  tenant-1  salesforce token grant: authorization = \"per_user\": "
                                            "no user's Salesforce authorization is recorded"));
  CHECK_THAT(doctor.output, Catch::Contains("--tenant tenant-1 --user ADDRESS"));

  // Half of each tenant's users connect: exactly they become active.
  for (auto& [tenant, rows] : users) {
    for (std::size_t i = 0; i < rows.size(); i += 2) ConnectUser(sim, s, tenant, rows[i].address);
  }
  doctor = RunCrmsync({"doctor", "--config", sim.config_path(), "--state", s.state});
  INFO(doctor.output);
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-1  salesforce token grant"));
  CHECK_THAT(doctor.output, Catch::Contains("ok    tenant-2  salesforce token grant"));
  auto second = Run(sim, s);
  INFO(second.output);
  CHECK(second.exit_code == 0);
  v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.present > 0);
  CHECK(v.missing > 0);   // the other half's mail, not read yet
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);   // OwnerId: a user whose copy is captured
  CHECK(v.isolation_violations == 0);
  CHECK(JsonInt(v.raw, "owner_violations") == 0);
  for (auto& [tenant, rows] : users) {
    const auto now = Users(sim, s, tenant);
    const auto grants = UserGrants(sim, tenant);
    for (std::size_t i = 0; i < now.size(); ++i) {
      bool connected = false;
      for (std::size_t j = 0; j < rows.size(); j += 2) connected = connected || rows[j].address == now[i].address;
      CHECK(now[i].status == (connected ? "active" : "pending"));
      // Only connected users' tokens were ever used.
      CHECK((grants.count(now[i].address) != 0) == connected);
    }
  }

  // The rest connect: everything is written once.
  for (auto& [tenant, rows] : users) {
    for (std::size_t i = 1; i < rows.size(); i += 2) ConnectUser(sim, s, tenant, rows[i].address);
  }
  auto third = Run(sim, s);
  INFO(third.output);
  CHECK(third.exit_code == 0);
  CheckClean(sim);
  for (const std::string tenant : {"tenant-1", "tenant-2"}) {
    for (const auto& u : Users(sim, s, tenant)) CHECK(u.status == "active");
  }
}

TEST_CASE("per-user authorization: one user's revoked token suspends that user only, reconnecting resumes",
          "[per_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "32", "--tenants", "2", "--users", "6", "--messages", "120", "--providers",
                                "graph", "--authorization", "per_user", "--rotate-refresh-tokens"});
  REQUIRE(Run(sim, s).exit_code == 0);   // learns the users; all pending
  std::map<std::string, std::vector<UserRow>> users;
  for (const std::string tenant : {"tenant-1", "tenant-2"}) {
    users[tenant] = Users(sim, s, tenant);
    for (const auto& u : users[tenant]) ConnectUser(sim, s, tenant, u.address);
  }
  // Revoked before the run: the user's first grant is refused. (Revoked after
  // N upserts would race with how early that user's own writes go out.)
  const std::string revoked = users["tenant-1"][1].address;
  INFO(sim.Post("/_sim/revoke?tenant=tenant-1&user=" + revoked, ""));

  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 3);
  for (const auto& u : Users(sim, s, "tenant-1")) {
    if (u.address == revoked) {
      CHECK(u.status == "suspended");
      CHECK(u.reason == "invalid_grant: expired access/refresh token");
    } else {
      CHECK(u.status == "active");
    }
  }
  for (const auto& u : Users(sim, s, "tenant-2")) CHECK(u.status == "active");
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "tenants.tenant-2.missing") == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(JsonInt(v.raw, "owner_violations") == 0);

  ConnectUser(sim, s, "tenant-1", revoked, /*refresh=*/true);
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CheckClean(sim);
  for (const auto& u : Users(sim, s, "tenant-1")) CHECK(u.status == "active");
}

TEST_CASE("per-user authorization: sessions expiring under load are refreshed once per user", "[per_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "33", "--tenants", "1", "--users", "3", "--messages", "1500",
                                "--authorization", "per_user"});
  REQUIRE(Run(sim, s).exit_code == 0);
  for (const auto& u : Users(sim, s, "tenant-1")) ConnectUser(sim, s, "tenant-1", u.address);
  const auto before = UserGrants(sim, "tenant-1");
  // The first upsert expires every live session: the writes after it (many
  // per user, up to max_writes_in_flight at once) need a fresh token.
  sim.Post("/_sim/expire-sessions?tenant=tenant-1&after_upserts=1", "");
  auto run = Run(sim, s);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string report = ReadFile(s.report);
  INFO(report);
  REQUIRE(JsonInt(report, "tenants.0.api_calls.salesforce_upserts") >= 12);
  const auto after = UserGrants(sim, "tenant-1");
  std::int64_t refreshed = 0;
  for (const auto& [address, grants] : after) {
    INFO(address);
    const std::int64_t in_run = grants - (before.count(address) ? before.at(address) : 0);
    // At most the first grant and one after the expiry, however many of the
    // user's writes were in flight.
    CHECK(in_run >= 1);
    CHECK(in_run <= 2);
    refreshed += in_run == 2 ? 1 : 0;
  }
  CHECK(refreshed >= 1);
  CheckClean(sim);
}

TEST_CASE("per-user authorization with create_lead: Leads are written through the lookup session", "[per_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "23", "--tenants", "1", "--users", "5", "--messages", "10",
                                "--authorization", "per_user", "--capture", "create-lead"});
  REQUIRE(Run(sim, s).exit_code == 0);   // learns the users; all pending
  for (const auto& u : Users(sim, s, "tenant-1")) ConnectUser(sim, s, "tenant-1", u.address);
  auto run = Run(sim, s);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CheckClean(sim);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "leads.expected") > 0);
  CHECK(JsonInt(v.raw, "leads.missing") == 0);
  CHECK(JsonInt(v.raw, "leads.duplicates") == 0);
  CHECK(JsonInt(ReadFile(s.report), "tenants.0.leads_created") == JsonInt(v.raw, "leads.expected"));
}

// crmsync retry --quarantined on per-user tenants: every quarantined record
// goes out with the session of the user who wrote it (the simulator refuses
// a Task owned by anyone else: owner_violations), and a user whose grant is
// refused keeps their entries while the others' are written.
namespace {

// Salesforce refuses a fifth of the Task keys permanently, and nothing else.
constexpr const char* kRecordErrorsOnly = R"({"seed":41,"record_errors":0.2})";

// Connects every user of `tenant` the last run learned.
void ConnectAll(const SimProcess& sim, const Setup& s, const std::string& tenant) {
  const auto users = Users(sim, s, tenant);
  REQUIRE_FALSE(users.empty());
  for (const auto& u : users) ConnectUser(sim, s, tenant, u.address);
}

// The state's quarantine of `tenant`, as `crmsync status --json` counts it.
std::int64_t Quarantined(const SimProcess& sim, const Setup& s, const std::string& tenant) {
  auto status = RunCrmsync({"status", "--config", sim.config_path(), "--state", s.state, "--json", "--tenant", tenant});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  return JsonInt(status.output, "tenants.0.quarantined");
}

// "record quarantined" events of a run's JSON log, counted by the user whose
// stream wrote the record (one event per key).
std::map<std::string, std::int64_t> QuarantinedByWriter(const std::string& log) {
  std::map<std::string, std::int64_t> out;
  simdjson::dom::parser parser;
  std::size_t begin = 0;
  while (begin < log.size()) {
    std::size_t end = log.find('\n', begin);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(begin, end - begin);
    begin = end + 1;
    simdjson::dom::element event;
    std::string_view msg, user;
    if (parser.parse(line).get(event) || event["msg"].get(msg) || event["user"].get(user)) continue;
    if (msg.starts_with("record quarantined: ")) ++out[std::string(user)];
  }
  return out;
}

ProcessResult Retry(const SimProcess& sim, const Setup& s) {
  return RunCrmsync({"retry", "--quarantined", "--config", sim.config_path(), "--state", s.state});
}

// Everything expected is in Salesforce once, owned by a user whose copy was captured.
void CheckAllWritten(const SimProcess& sim) {
  CheckClean(sim);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "rejected") == 0);
  CHECK(v.present == v.expected);
}

}  // namespace

TEST_CASE("per-user authorization: retry --quarantined writes each record with its writer's own session",
          "[per_user][quarantine]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "41", "--tenants", "2", "--users", "4", "--messages", "30", "--providers",
                                "graph,gmail", "--authorization", "per_user"});
  REQUIRE(Run(sim, s).exit_code == 0);   // learns the users; all pending
  for (const std::string tenant : {"tenant-1", "tenant-2"}) ConnectAll(sim, s, tenant);
  sim.Post("/_sim/faults", kRecordErrorsOnly);

  auto run = Run(sim, s);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);   // a permanent per-record error is terminal: the run completes
  const std::string faults = sim.Get("/_sim/faults");
  INFO(faults);
  const std::int64_t rejected = JsonInt(faults, "rejected");
  CHECK(JsonInt(faults, "rejected_by_tenant.tenant-1") > 0);
  CHECK(JsonInt(faults, "rejected_by_tenant.tenant-2") > 0);
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(JsonInt(v.raw, "rejected") == rejected);
  CHECK(JsonInt(v.raw, "owner_violations") == 0);
  CHECK(Quarantined(sim, s, "tenant-1") + Quarantined(sim, s, "tenant-2") == rejected);

  // The administrator fixes the cause (here: the faults end) and retries.
  sim.Post("/_sim/faults", "{}");
  auto retry = Retry(sim, s);
  INFO(retry.output);
  CHECK(retry.exit_code == 0);
  CHECK_THAT(retry.output, Catch::Contains("total: " + std::to_string(rejected) + " quarantined, " +
                                           std::to_string(rejected) + " written, 0 failed again\n"));
  CheckAllWritten(sim);
  CHECK(Quarantined(sim, s, "tenant-1") == 0);
  CHECK(Quarantined(sim, s, "tenant-2") == 0);

  auto again = Retry(sim, s);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("total: 0 quarantined, 0 written, 0 failed again"));
}

TEST_CASE("per-user authorization: retry --quarantined keeps a revoked user's records, writes the others'",
          "[per_user][quarantine]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "42", "--tenants", "1", "--users", "4", "--messages", "30",
                                "--authorization", "per_user", "--rotate-refresh-tokens"});
  REQUIRE(Run(sim, s).exit_code == 0);   // learns the users; all pending
  ConnectAll(sim, s, "tenant-1");
  sim.Post("/_sim/faults", kRecordErrorsOnly);
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", s.state, "--report", s.report, "--quiet",
                         "--log-format", "json", "--log-level", "info"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto by_writer = QuarantinedByWriter(run.output);
  REQUIRE(by_writer.size() >= 2);   // someone else's records must be left to write
  std::int64_t total = 0;
  std::string revoked;
  for (const auto& [address, n] : by_writer) {
    total += n;
    if (revoked.empty() || n > by_writer.at(revoked)) revoked = address;
  }
  const std::int64_t kept = by_writer.at(revoked);
  REQUIRE(Quarantined(sim, s, "tenant-1") == total);

  sim.Post("/_sim/faults", "{}");
  INFO(sim.Post("/_sim/revoke?tenant=tenant-1&user=" + revoked, ""));
  auto retry = Retry(sim, s);
  INFO(retry.output);
  CHECK(retry.exit_code == 3);
  CHECK_THAT(retry.output, Catch::Contains("user " + revoked + ": " + std::to_string(kept) +
                                           " records not sent, kept in the quarantine: Salesforce refused the "
                                           "user's authorization: invalid_grant"));
  CHECK_THAT(retry.output, Catch::Contains(std::to_string(total - kept) + " written, 0 failed again, " +
                                           std::to_string(kept) + " not sent"));
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(JsonInt(v.raw, "rejected") == kept);
  CHECK(v.present + kept == v.expected);
  CHECK(JsonInt(v.raw, "owner_violations") == 0);
  CHECK(Quarantined(sim, s, "tenant-1") == kept);

  ConnectUser(sim, s, "tenant-1", revoked, /*refresh=*/true);
  auto resumed = Retry(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains("total: " + std::to_string(kept) + " quarantined, " +
                                             std::to_string(kept) + " written, 0 failed again\n"));
  CheckAllWritten(sim);
  CHECK(Quarantined(sim, s, "tenant-1") == 0);
}

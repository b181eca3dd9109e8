// Connection lifecycles end to end (issue: organizations and mass
// authorization): a Salesforce refresh token revoked mid-run, mailbox access
// revoked for one user or a whole tenant, access tokens expiring under load,
// refresh-token rotation, and `crmsync connect salesforce` both ways.
#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <vector>

#include <simdjson.h>

#include "consent_support.hpp"
#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// A string at a dotted path ("tenants.0.status"); "" when absent.
std::string JsonString(const std::string& json, const std::string& dotted) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).get(element)) return "";
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const std::size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    simdjson::dom::array array;
    if (!element.get(array)) {
      if (array.at(std::stoul(key)).get(element)) return "";
    } else if (element[key].get(element)) {
      return "";
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string_view text;
  return element.get(text) ? "" : std::string(text);
}

ProcessResult Status(const SimProcess& sim, const Setup& s, const std::string& tenant = "") {
  std::vector<std::string> args{"status", "--config", sim.config_path(), "--state", s.state, "--json"};
  if (!tenant.empty()) {
    args.push_back("--tenant");
    args.push_back(tenant);
  }
  return RunCrmsync(args);
}

int TenantIndex(const std::string& report, const std::string& tenant) {
  for (int i = 0; i < 8; ++i) {
    if (JsonString(report, "tenants." + std::to_string(i) + ".id") == tenant) return i;
  }
  return -1;
}

void ReconnectSalesforce(const SimProcess& sim, const Setup& s, const std::string& tenant) {
  const std::string reissued = sim.Post("/_sim/reissue?tenant=" + tenant, "");
  const std::string token_file = s.dir.path() + "/refresh-token";
  WriteFile(token_file, JsonString(reissued, "refresh_token") + "\n");
  auto connect = RunCrmsync({"connect", "salesforce", "--config", sim.config_path(), "--state", s.state, "--tenant",
                             tenant, "--refresh", "--refresh-token-file", token_file});
  INFO(connect.output);
  REQUIRE(connect.exit_code == 0);
  CHECK_THAT(connect.output, Catch::Contains("Salesforce Connected"));
  CHECK_THAT(connect.output, !Catch::Contains(JsonString(reissued, "refresh_token")));
}

}  // namespace

TEST_CASE("a refresh token revoked mid-run suspends that tenant only, and reconnecting resumes exactly once",
          "[lifecycle]") {
  const std::string revoked = GENERATE(as<std::string>{}, "tenant-1", "tenant-2");
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "11", "--tenants", "2", "--users", "8", "--messages", "150", "--providers",
                                "graph,gmail"});
  sim.Post("/_sim/revoke?tenant=" + revoked + "&after_upserts=2", "");
  auto first = Run(sim, s);
  INFO(first.output);
  CHECK(first.exit_code == 3);
  const std::string report = ReadFile(s.report);
  const int t = TenantIndex(report, revoked);
  const int other = TenantIndex(report, revoked == "tenant-1" ? "tenant-2" : "tenant-1");
  REQUIRE(t >= 0);
  REQUIRE(other >= 0);
  const std::string p = "tenants." + std::to_string(t) + ".";
  CHECK(JsonString(report, p + "status") == "suspended");
  CHECK(JsonString(report, p + "reason") == "invalid_grant: expired access/refresh token");
  CHECK(JsonString(report, p + "crm.status") == "disconnected");
  CHECK(JsonInt(report, p + "users_by_status.suspended") == 8);
  CHECK(JsonString(report, "tenants." + std::to_string(other) + ".status") == "ok");

  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(JsonInt(v.raw, "tenants." + revoked + ".missing") > 0);
  CHECK(JsonInt(v.raw, "tenants." + std::string(revoked == "tenant-1" ? "tenant-2" : "tenant-1") + ".missing") == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);

  auto status = Status(sim, s);
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  const int st = TenantIndex(status.output, revoked);
  CHECK(JsonString(status.output, "tenants." + std::to_string(st) + ".crm.status") == "disconnected");
  CHECK(JsonString(status.output, "tenants." + std::to_string(st) + ".mailbox.status") == "connected");
  CHECK(JsonString(status.output, "tenants." + std::to_string(st) + ".crm.last_error") ==
        "invalid_grant: expired access/refresh token");
  CHECK(JsonInt(status.output, "tenants." + std::to_string(st) + ".users.suspended") == 8);

  // A rerun without reconnecting changes nothing and stays suspended.
  auto still = Run(sim, s);
  CHECK(still.exit_code == 3);

  ReconnectSalesforce(sim, s, revoked);
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.isolation_violations == 0);
  status = Status(sim, s, revoked);
  CHECK(JsonString(status.output, "tenants.0.crm.status") == "connected");
  CHECK(JsonInt(status.output, "tenants.0.users.active") == 8);
  CHECK(JsonString(status.output, "tenants.0.user_details.0.status") == "active");
  CHECK(JsonInt(status.output, "tenants.0.user_details.0.lag_seconds") >= 0);
}

TEST_CASE("mailbox access revoked for one user suspends only that user, and restored it resumes", "[lifecycle]") {
  const std::string provider = GENERATE(as<std::string>{}, "graph", "gmail");
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "12", "--tenants", "1", "--users", "6", "--messages", "20", "--providers",
                                provider});
  REQUIRE(Run(sim, s).exit_code == 0);
  auto status = Status(sim, s, "tenant-1");
  const std::string victim = JsonString(status.output, "tenants.0.user_details.0.address");
  REQUIRE_FALSE(victim.empty());

  sim.Post("/_sim/revoke-mailbox?tenant=tenant-1&user=" + victim, "");
  sim.Post("/_sim/advance", R"({"messages": 10})");
  auto partial = Run(sim, s);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  status = Status(sim, s, "tenant-1");
  INFO(status.output);
  CHECK(JsonString(status.output, "tenants.0.mailbox.status") == "connected");
  CHECK(JsonInt(status.output, "tenants.0.users.suspended") == 1);
  CHECK(JsonInt(status.output, "tenants.0.users.active") == 5);
  CHECK(JsonString(status.output, "tenants.0.user_details.0.status") == "suspended");
  CHECK_THAT(JsonString(status.output, "tenants.0.user_details.0.reason"), Catch::StartsWith("mailbox access revoked"));
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.missing > 0);   // the victim's new mail waits
  CHECK(v.duplicates == 0);

  sim.Post("/_sim/restore-mailbox?tenant=tenant-1", "");
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  status = Status(sim, s, "tenant-1");
  CHECK(JsonInt(status.output, "tenants.0.users.active") == 6);
}

TEST_CASE("mailbox access revoked for a whole tenant disconnects its mailbox, other tenants carry on", "[lifecycle]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "13", "--tenants", "2", "--users", "5", "--messages", "20"});
  REQUIRE(Run(sim, s).exit_code == 0);
  sim.Post("/_sim/revoke-mailbox?tenant=tenant-2", "");
  sim.Post("/_sim/advance", R"({"messages": 5})");
  auto partial = Run(sim, s);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  const std::string report = ReadFile(s.report);
  const std::string p = "tenants." + std::to_string(TenantIndex(report, "tenant-2")) + ".";
  CHECK(JsonString(report, p + "status") == "suspended");
  CHECK(JsonString(report, p + "mailbox.status") == "disconnected");
  auto status = Status(sim, s, "tenant-2");
  CHECK(JsonString(status.output, "tenants.0.mailbox.status") == "disconnected");
  CHECK(JsonInt(status.output, "tenants.0.users.suspended") == 5);
  Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(JsonInt(v.raw, "tenants.tenant-1.missing") == 0);
  CHECK(JsonInt(v.raw, "tenants.tenant-2.missing") > 0);

  sim.Post("/_sim/restore-mailbox?tenant=tenant-2", "");
  REQUIRE(Run(sim, s).exit_code == 0);
  v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
}

TEST_CASE("sessions expiring under load are refreshed once per tenant", "[lifecycle]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "14", "--tenants", "1", "--users", "60", "--messages", "60"});
  sim.Post("/_sim/expire-sessions?tenant=tenant-1&after_upserts=2", "");
  auto run = Run(sim, s);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string report = ReadFile(s.report);
  CHECK(JsonInt(report, "tenants.0.api_calls.salesforce_upserts") > 6);
  // One grant at set-up, one after the sessions expired: not one per request in flight.
  CHECK(JsonInt(report, "tenants.0.api_calls.salesforce_token_grants") == 2);
  CHECK(JsonInt(sim.Get("/_sim/token-grants?tenant=tenant-1"), "salesforce") == 2);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
}

TEST_CASE("rotated refresh tokens are stored sealed and used by the next run", "[lifecycle]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "15", "--tenants", "1", "--users", "4", "--messages", "10",
                                "--rotate-refresh-tokens"});
  REQUIRE(Run(sim, s).exit_code == 0);
  sim.Post("/_sim/advance", R"({"messages": 5})");
  // The configuration's token was voided by the first rotation: only the
  // sealed one works now.
  auto second = Run(sim, s);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK_THAT(ReadFile(s.report), !Catch::Contains("5Aep861"));
}

TEST_CASE("connect salesforce: the web-server flow receives the code on a loopback redirect", "[lifecycle]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "16", "--tenants", "1", "--users", "3", "--messages", "5"});
  sim.Post("/_sim/revoke?tenant=tenant-1", "");
  REQUIRE(Run(sim, s).exit_code == 3);   // suspended: invalid_grant

  const std::string url_file = s.dir.path() + "/authorize-url";
  auto connect = std::async(std::launch::async, [&] {
    return RunCrmsync({"connect", "salesforce", "--config", sim.config_path(), "--state", s.state, "--tenant",
                       "tenant-1", "--refresh", "--url-file", url_file, "--timeout", "60"});
  });
  const std::string url = AwaitUrlFile(url_file);
  REQUIRE_FALSE(url.empty());
  CHECK_THAT(url, Catch::Contains("code_challenge_method=S256") && Catch::Contains("response_type=code"));
  // The "browser": the simulator approves and redirects to the loopback listener.
  const BrowserVisit visit = FollowInBrowser(sim, url);
  CHECK(visit.transferred);
  CHECK(visit.http_status == 200);
  auto result = connect.get();
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);

  // Without --refresh an existing connection is not replaced.
  auto again = RunCrmsync({"connect", "salesforce", "--config", sim.config_path(), "--state", s.state, "--tenant",
                           "tenant-1", "--refresh-token-file", url_file});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.output, Catch::Contains("already connected"));
}

TEST_CASE("activation on first logon keeps users pending until crmsync users activate records it", "[lifecycle]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "17", "--tenants", "1", "--users", "4", "--messages", "20"});
  std::string config = ReadFile(sim.config_path());
  const std::string id_line = "id = \"tenant-1\"";
  REQUIRE(config.find(id_line) != std::string::npos);
  config.replace(config.find(id_line), id_line.size(), id_line + "\nactivation = \"first_logon\"");
  const std::string path = s.dir.path() + "/first-logon.toml";
  WriteFile(path, config);
  auto run = [&] {
    return RunCrmsync({"run", "--config", path, "--state", s.state, "--report", s.report, "--quiet"});
  };
  REQUIRE(run().exit_code == 0);
  auto status = RunCrmsync({"status", "--config", path, "--state", s.state, "--tenant", "tenant-1", "--json"});
  INFO(status.output);
  CHECK(JsonInt(status.output, "tenants.0.users.pending") == 4);
  CHECK_THAT(JsonString(status.output, "tenants.0.user_details.0.reason"), Catch::StartsWith("awaiting first logon"));
  CHECK(JsonInt(ReadFile(s.report), "tenants.0.captured") == 0);   // nobody's mail is read yet

  const std::string first = JsonString(status.output, "tenants.0.user_details.0.address");
  auto activate = RunCrmsync({"users", "activate", "--config", path, "--state", s.state, "--tenant", "tenant-1",
                              "--user", first});
  INFO(activate.output);
  REQUIRE(activate.exit_code == 0);
  auto unknown = RunCrmsync({"users", "activate", "--config", path, "--state", s.state, "--tenant", "tenant-1",
                             "--user", "nobody@nowhere.example"});
  CHECK(unknown.exit_code == 2);
  REQUIRE(run().exit_code == 0);
  status = RunCrmsync({"status", "--config", path, "--state", s.state, "--tenant", "tenant-1", "--json"});
  CHECK(JsonInt(status.output, "tenants.0.users.active") == 1);
  CHECK(JsonInt(status.output, "tenants.0.users.pending") == 3);
  CHECK(JsonInt(ReadFile(s.report), "tenants.0.captured") > 0);
}

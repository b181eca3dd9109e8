// Per-user mailbox consent beyond the Microsoft basics: Google tenants with
// google.access = "oauth_user" (crmsync-sim --providers gmail --mail-access
// delegated), end to end; and a whole tenant's consent revoked at once.
#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <regex>
#include <thread>

#include <simdjson.h>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

std::string JsonText(const std::string& json, const std::vector<std::string>& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).get(element)) return "";
  for (const std::string& key : path) {
    simdjson::dom::array array;
    if (!element.get(array)) {
      if (array.at(std::stoul(key)).get(element)) return "";
    } else if (element[key].get(element)) {
      return "";
    }
  }
  std::string_view text;
  return element.get(text) ? "" : std::string(text);
}

struct Setup {
  TempDir dir;
  std::string state = dir.path() + "/state";
  std::string report = dir.path() + "/report.json";
};

ProcessResult Run(const SimProcess& sim, const Setup& s) {
  return RunCrmsync({"run", "--config", sim.config_path(), "--state", s.state, "--report", s.report, "--quiet"});
}

std::string TenantStatus(const SimProcess& sim, const Setup& s) {
  return RunCrmsync({"status", "--config", sim.config_path(), "--state", s.state, "--json", "--tenant", "tenant-1"})
      .output;
}

std::vector<std::string> ListedUsers(const SimProcess& sim) {
  const std::string config = ReadFile(sim.config_path());
  std::smatch list;
  std::vector<std::string> users;
  if (!std::regex_search(config, list, std::regex(R"(list = \[([^\]]*)\])"))) return users;
  const std::string inner = list[1];
  std::regex quoted(R"re("([^"]+)")re");
  for (auto it = std::sregex_iterator(inner.begin(), inner.end(), quoted); it != std::sregex_iterator(); ++it) {
    users.push_back((*it)[1]);
  }
  return users;
}

// The user's consent (a fresh refresh token from the simulator), written to a file.
std::string Consent(const SimProcess& sim, const Setup& s, const std::string& user) {
  const std::string answer = sim.Post("/_sim/reissue-mailbox?tenant=tenant-1&user=" + user, "");
  const std::string token = JsonText(answer, {"refresh_token"});
  INFO(answer);
  REQUIRE_FALSE(token.empty());
  const std::string file = s.dir.path() + "/" + user + ".token";
  WriteFile(file, token + "\n");
  return file;
}

ProcessResult ConnectMailbox(const SimProcess& sim, const Setup& s, const std::string& user, const std::string& file,
                             bool refresh = false) {
  std::vector<std::string> args{"connect",  "mailbox",  "--config", sim.config_path(), "--state", s.state, "--tenant",
                                "tenant-1", "--user",   user,       "--refresh-token-file", file};
  if (refresh) args.push_back("--refresh");
  return RunCrmsync(args);
}

std::pair<std::string, std::string> UserStatus(const std::string& status, const std::string& user) {
  for (int i = 0; i < 64; ++i) {
    const std::string index = std::to_string(i);
    const std::string address = JsonText(status, {"tenants", "0", "user_details", index, "address"});
    if (address.empty()) break;
    if (address != user) continue;
    return {JsonText(status, {"tenants", "0", "user_details", index, "status"}),
            JsonText(status, {"tenants", "0", "user_details", index, "reason"})};
  }
  return {};
}

void CheckClean(const SimProcess& sim) {
  const std::string raw = sim.Get("/_sim/verify");
  Verify v = ParseVerify(raw);
  INFO(raw);
  CHECK(v.expected > 0);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.isolation_violations == 0);
  CHECK(JsonInt(raw, "delegation_violations") == 0);
}

std::vector<std::string> GmailOAuthUserSim(SimProcess& sim) {
  const std::string config = ReadFile(sim.config_path());
  CHECK_THAT(config, Catch::Contains("[tenants.google]") && Catch::Contains("access = \"oauth_user\"") &&
                         !Catch::Contains("key_file"));
  return ListedUsers(sim);
}

std::size_t Discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

}  // namespace

TEST_CASE("google oauth_user: pending until connected, one revoked user suspended alone, reconnect resumes",
          "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "41", "--tenants", "1", "--users", "4", "--messages", "30",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 4);

  auto none = Run(sim, s);
  INFO(none.output);
  std::string status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonInt(status, "tenants.0.users.pending") == 4);
  auto [pending, reason] = UserStatus(status, users[0]);
  CHECK(pending == "pending");
  CHECK(reason == "no mailbox authorization recorded (crmsync connect mailbox --tenant tenant-1 --user " + users[0] + ")");
  CHECK(ParseVerify(sim.Get("/_sim/verify")).present == 0);

  std::vector<std::string> first_tokens;
  for (const std::string& user : users) {
    const std::string file = Consent(sim, s, user);
    first_tokens.push_back(ReadFile(file));
    auto connected = ConnectMailbox(sim, s, user, file);
    INFO(connected.output);
    REQUIRE(connected.exit_code == 0);
    CHECK_THAT(connected.output, Catch::Contains("Connected"));
    CHECK_THAT(connected.output, !Catch::Contains(first_tokens.back().substr(0, 30)));
  }
  // A user's grant given for another user is refused, not stored.
  const std::string other = Consent(sim, s, users[1]);
  auto mixed = ConnectMailbox(sim, s, users[0], other, true);
  INFO(mixed.output);
  CHECK(mixed.exit_code == 1);
  CHECK_THAT(mixed.output, Catch::Contains("belongs to " + users[1]));
  REQUIRE(ConnectMailbox(sim, s, users[1], other, true).exit_code == 0);

  auto full = Run(sim, s);
  INFO(full.output);
  CHECK(full.exit_code == 0);
  CHECK(JsonInt(ReadFile(s.report), "tenants.0.api_calls.mail_token_grants") == 4);
  status = TenantStatus(sim, s);
  CHECK(JsonInt(status, "tenants.0.users.active") == 4);
  CheckClean(sim);

  // One user takes the consent back: only that user is suspended.
  sim.Post("/_sim/revoke-mailbox?tenant=tenant-1&user=" + users[2], "");
  sim.Post("/_sim/advance", R"({"messages": 8})");
  auto partial = Run(sim, s);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonInt(status, "tenants.0.users.suspended") == 1);
  CHECK(JsonInt(status, "tenants.0.users.active") == 3);
  CHECK(JsonText(status, {"tenants", "0", "mailbox", "status"}) == "connected");
  auto [suspended, why] = UserStatus(status, users[2]);
  CHECK(suspended == "suspended");
  CHECK_THAT(why, Catch::StartsWith("mailbox access revoked") && Catch::Contains("invalid_grant"));
  CHECK(ParseVerify(sim.Get("/_sim/verify")).duplicates == 0);

  auto reconnected = ConnectMailbox(sim, s, users[2], Consent(sim, s, users[2]), true);
  INFO(reconnected.output);
  REQUIRE(reconnected.exit_code == 0);
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(JsonInt(TenantStatus(sim, s), "tenants.0.users.active") == 4);
  CheckClean(sim);
}

TEST_CASE("google oauth_user: connect mailbox through Google's consent screen (offline access, PKCE)", "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "42", "--tenants", "1", "--users", "2", "--messages", "10",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 2);
  REQUIRE(ConnectMailbox(sim, s, users[1], Consent(sim, s, users[1])).exit_code == 0);

  const std::string url_file = s.dir.path() + "/authorize-url";
  auto connect = std::async(std::launch::async, [&] {
    return RunCrmsync({"connect", "mailbox", "--config", sim.config_path(), "--state", s.state, "--tenant",
                       "tenant-1", "--user", users[0], "--url-file", url_file, "--timeout", "60"});
  });
  std::string url;
  for (int i = 0; i < 300 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (std::filesystem::exists(url_file)) url = ReadFile(url_file);
  }
  REQUIRE_FALSE(url.empty());
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  CHECK_THAT(url, Catch::Contains("/o/oauth2/v2/auth?") && Catch::Contains("access_type=offline") &&
                      Catch::Contains("prompt=consent") && Catch::Contains("code_challenge_method=S256") &&
                      Catch::Contains("gmail.readonly"));
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_CAINFO, sim.ca_file().c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  const CURLcode rc = curl_easy_perform(curl);
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  curl_easy_cleanup(curl);
  CHECK(rc == CURLE_OK);
  CHECK(http_status == 200);
  auto result = connect.get();
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("Connected"));
  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CheckClean(sim);
}

TEST_CASE("delegated mailboxes: a whole tenant's consent revoked disconnects its mailbox, every user suspended",
          "[delegated]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "43", "--tenants", "1", "--users", "3", "--messages", "20",
                                "--mail-access", "delegated"});
  const std::vector<std::string> users = ListedUsers(sim);
  REQUIRE(users.size() == 3);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);
  REQUIRE(Run(sim, s).exit_code == 0);

  sim.Post("/_sim/revoke-mailbox?tenant=tenant-1", "");
  sim.Post("/_sim/advance", R"({"messages": 5})");
  auto partial = Run(sim, s);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  const std::string status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonText(status, {"tenants", "0", "mailbox", "status"}) == "disconnected");
  CHECK(JsonInt(status, "tenants.0.users.suspended") == 3);
  CHECK(JsonInt(status, "tenants.0.users.active") == 0);
  CHECK(ParseVerify(sim.Get("/_sim/verify")).missing > 0);

  // Every user consents again: the tenant reconnects and catches up.
  sim.Post("/_sim/restore-mailbox?tenant=tenant-1", "");
  for (const std::string& user : users) {
    REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user), true).exit_code == 0);
  }
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(JsonText(TenantStatus(sim, s), {"tenants", "0", "mailbox", "status"}) == "connected");
  CheckClean(sim);
}

TEST_CASE("google oauth_user: meetings are read from each user's own calendar with that user's token",
          "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "44", "--tenants", "1", "--users", "4", "--messages", "2",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 4);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);
  // The window covers every meeting the simulator generates (its clock starts on 2026-11-01).
  const std::string config = s.dir.path() + "/calendar.toml";
  WriteFile(config, ReadFile(sim.config_path()) +
                        "\n[tenants.capture]\ncalendar = \"meetings\"\ncalendar_anchor = \"2026-11-01\"\n"
                        "calendar_past_days = 30\ncalendar_future_days = 60\n");
  auto run = RunCrmsync({"run", "--config", config, "--state", s.state, "--report", s.report, "--quiet"});
  INFO(run.output);
  const std::string report = ReadFile(s.report);
  INFO(report);
  CHECK(run.exit_code == 0);
  CHECK(JsonInt(report, "tenants.0.calendar.calendars") == 4);
  CHECK(JsonInt(report, "tenants.0.calendar.events_written") > 0);
  const std::string verify = sim.Get("/_sim/verify");
  INFO(verify);
  CHECK(JsonInt(verify, "events.expected") > 0);
  CHECK(JsonInt(verify, "events.missing") == 0);
  CHECK(JsonInt(verify, "events.duplicates") == 0);
  CHECK(JsonInt(verify, "events.unexpected") == 0);
  CheckClean(sim);
}

TEST_CASE("google oauth_user: free/busy is asked with one connected user's own token", "[oauth_user]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "45", "--tenants", "1", "--users", "4", "--messages", "2",
                                "--providers", "gmail", "--mail-access", "delegated"});
  const std::vector<std::string> users = GmailOAuthUserSim(sim);
  REQUIRE(users.size() == 4);
  for (const std::string& user : users) REQUIRE(ConnectMailbox(sim, s, user, Consent(sim, s, user)).exit_code == 0);
  const std::string config = s.dir.path() + "/freebusy.toml";
  WriteFile(config, ReadFile(sim.config_path()) +
                        "\n[tenants.capture]\ncalendar = \"free_busy\"\ncalendar_anchor = \"2026-11-01\"\n"
                        "freebusy_days = 14\n");
  auto run = RunCrmsync({"run", "--config", config, "--state", s.state, "--report", s.report, "--quiet"});
  INFO(run.output);
  const std::string report = ReadFile(s.report);
  INFO(report);
  CHECK(run.exit_code == 0);
  CHECK(JsonInt(report, "tenants.0.calendar.busy_slots") > 0);
  const std::string verify = sim.Get("/_sim/verify?busy_from=2026-11-01T00:00:00Z&busy_to=2026-11-15T00:00:00Z");
  INFO(verify);
  CHECK(JsonInt(verify, "events.expected") > 0);
  CHECK(JsonInt(verify, "events.missing") == 0);
  CHECK(JsonInt(verify, "events.unexpected") == 0);
  CHECK(JsonInt(verify, "delegation_violations") == 0);
  CHECK(JsonInt(verify, "isolation_violations") == 0);
}

#include "consent_support.hpp"
#include "verify_checks.hpp"

#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <regex>
#include <thread>

#include <simdjson.h>

namespace crmsync::harness {

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
                             bool refresh) {
  std::vector<std::string> args{"connect",  "mailbox", "--config", sim.config_path(), "--state", s.state, "--tenant",
                                "tenant-1", "--user",  user,       "--refresh-token-file", file};
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

void CheckDelegatedClean(const SimProcess& sim) {
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

std::string AwaitUrlFile(const std::string& url_file) {
  std::string url;
  for (int i = 0; i < 300 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (std::filesystem::exists(url_file)) url = ReadFile(url_file);
  }
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  return url;
}

namespace {
std::size_t Discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }
}  // namespace

BrowserVisit FollowInBrowser(const SimProcess& sim, const std::string& url) {
  BrowserVisit visit;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return visit;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_CAINFO, sim.ca_file().c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  visit.transferred = curl_easy_perform(curl) == CURLE_OK;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &visit.http_status);
  curl_easy_cleanup(curl);
  return visit;
}

// The users of `tenant` as `crmsync status --tenant T --json` shows them.
std::vector<UserRow> Users(const SimProcess& sim, const Setup& s, const std::string& tenant) {
  auto status = RunCrmsync({"status", "--config", sim.config_path(), "--state", s.state, "--json", "--tenant", tenant});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  std::vector<UserRow> rows;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_FALSE(parser.parse(status.output).get(doc));
  simdjson::dom::array tenants;
  REQUIRE_FALSE(doc["tenants"].get(tenants));
  for (simdjson::dom::element t : tenants) {
    std::string_view id;
    if (t["id"].get(id) || id != tenant) continue;
    simdjson::dom::array users;
    REQUIRE_FALSE(t["user_details"].get(users));
    for (simdjson::dom::element u : users) {
      std::string_view address, st, reason;
      REQUIRE_FALSE(u["address"].get(address));
      REQUIRE_FALSE(u["status"].get(st));
      REQUIRE_FALSE(u["reason"].get(reason));
      rows.push_back({std::string(address), std::string(st), std::string(reason)});
    }
  }
  return rows;
}

// Records `address`'s own Salesforce authorization: the simulator issues a
// token bound to that user's Salesforce User, crmsync connect seals it.
void ConnectUser(const SimProcess& sim, const Setup& s, const std::string& tenant, const std::string& address,
                 bool refresh) {
  const std::string issued = sim.Post("/_sim/reissue?tenant=" + tenant + "&user=" + address, "");
  const std::string token = JsonText(issued, {"refresh_token"});
  INFO(issued);
  REQUIRE_FALSE(token.empty());
  const std::string file = s.dir.path() + "/token-" + address;
  WriteFile(file, token + "\n");
  std::vector<std::string> args{"connect", "salesforce", "--config", sim.config_path(), "--state", s.state,
                                "--tenant", tenant, "--user", address, "--refresh-token-file", file};
  if (refresh) args.push_back("--refresh");
  auto connect = RunCrmsync(args);
  INFO(connect.output);
  REQUIRE(connect.exit_code == 0);
  CHECK_THAT(connect.output, Catch::Contains("Salesforce Connected"));
  CHECK_THAT(connect.output, !Catch::Contains(token));
}

std::map<std::string, std::int64_t> UserGrants(const SimProcess& sim, const std::string& tenant) {
  std::map<std::string, std::int64_t> out;
  const std::string json = sim.Get("/_sim/token-grants?tenant=" + tenant);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object users;
  if (parser.parse(json).get(doc) || doc["salesforce_users"].get(users)) return out;
  for (auto field : users) {
    std::int64_t n = 0;
    if (!field.value.get(n)) out[std::string(field.key)] = n;
  }
  return out;
}

void CheckClean(const SimProcess& sim) {
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  CheckMailExact(v);
  INFO(v.raw);
  CHECK(v.isolation_violations == 0);
  CHECK(JsonInt(v.raw, "owner_violations") == 0);
}

std::vector<std::string> ConnectEveryMailbox(const SimProcess& sim, const Setup& s,
                                             const std::vector<std::string>& users) {
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
  return first_tokens;
}

void ConnectMailboxInBrowser(const SimProcess& sim, const Setup& s, const std::string& user, std::string& url) {
  const std::string url_file = s.dir.path() + "/authorize-url";
  auto connect = std::async(std::launch::async, [&] {
    return RunCrmsync({"connect", "mailbox", "--config", sim.config_path(), "--state", s.state, "--tenant",
                       "tenant-1", "--user", user, "--url-file", url_file, "--timeout", "60"});
  });
  url = AwaitUrlFile(url_file);
  REQUIRE_FALSE(url.empty());
  // The "browser": the simulator signs in the login_hint user, consents and redirects.
  const BrowserVisit visit = FollowInBrowser(sim, url);
  CHECK(visit.transferred);
  CHECK(visit.http_status == 200);
  auto result = connect.get();
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("Connected"));
}

void CheckOneUserRevokedThenResumes(const SimProcess& sim, const Setup& s, const std::string& user,
                                    std::int64_t users_total) {
  sim.Post("/_sim/revoke-mailbox?tenant=tenant-1&user=" + user, "");
  sim.Post("/_sim/advance", R"({"messages": 8})");
  auto partial = Run(sim, s);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  const std::string status = TenantStatus(sim, s);
  INFO(status);
  CHECK(JsonInt(status, "tenants.0.users.suspended") == 1);
  CHECK(JsonInt(status, "tenants.0.users.active") == users_total - 1);
  CHECK(JsonText(status, {"tenants", "0", "mailbox", "status"}) == "connected");
  auto [suspended, why] = UserStatus(status, user);
  CHECK(suspended == "suspended");
  CHECK_THAT(why, Catch::StartsWith("mailbox access revoked") && Catch::Contains("invalid_grant"));
  CHECK(ParseVerify(sim.Get("/_sim/verify")).duplicates == 0);

  // The user consents again: the next run resumes where it stopped.
  auto reconnected = ConnectMailbox(sim, s, user, Consent(sim, s, user), true);
  INFO(reconnected.output);
  REQUIRE(reconnected.exit_code == 0);
  auto resumed = Run(sim, s);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(JsonInt(TenantStatus(sim, s), "tenants.0.users.active") == users_total);
  CheckDelegatedClean(sim);
}

}  // namespace crmsync::harness

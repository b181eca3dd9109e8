// Users from a directory group and Salesforce users by federation id, end to
// end: the simulator's config edited to `source = "group"` (its one group per
// tenant, "sales@{domain}", holds the users of even index) or to
// `salesforce_match = "federation_id"` (User.FederationIdentifier is the
// primary address upper-cased), then crmsync run, status and /_sim/verify.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include <simdjson.h>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

constexpr int kUsers = 8;
const std::vector<std::string> kTenants = {"tenant-1", "tenant-2", "tenant-3"};

struct Setup {
  TempDir dir;
  std::string state = dir.path() + "/state";
  std::string report = dir.path() + "/report.json";
};

// Appends `users_table(primary domain)` to every [[tenants]] block of the
// simulator-written config: a [tenants.users] table after the last table of
// a block belongs to that block.
void EditConfig(const SimProcess& sim, const std::function<std::string(const std::string&)>& users_table) {
  const std::string text = ReadFile(sim.config_path());
  const std::string marker = "\n[[tenants]]";
  std::vector<std::string> blocks;
  std::size_t start = 0;
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    blocks.push_back(text.substr(start, at - start));
    start = at;
  }
  blocks.push_back(text.substr(start));
  std::string edited = blocks.front();
  const std::regex domain(R"(domains = \[\"([^\"]+)\")");
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    std::smatch match;
    REQUIRE(std::regex_search(blocks[i], match, domain));
    edited += blocks[i];
    if (edited.back() != '\n') edited += '\n';
    edited += users_table(match[1].str());
  }
  WriteFile(sim.config_path(), edited);
}

ProcessResult Run(const SimProcess& sim, const Setup& s) {
  return RunCrmsync({"run", "--config", sim.config_path(), "--state", s.state, "--report", s.report, "--quiet"});
}

struct UserDetail {
  std::string address, status, salesforce_user_id;
};

std::vector<UserDetail> UserDetails(const SimProcess& sim, const Setup& s, const std::string& tenant) {
  auto status = RunCrmsync(
      {"status", "--config", sim.config_path(), "--state", s.state, "--tenant", tenant, "--json"});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE_FALSE(parser.parse(status.output).get(root));
  simdjson::dom::array tenants;
  REQUIRE_FALSE(root["tenants"].get(tenants));
  std::vector<UserDetail> out;
  for (simdjson::dom::element t : tenants) {
    std::string_view id;
    if (t["id"].get(id) || id != tenant) continue;
    simdjson::dom::array details;
    REQUIRE_FALSE(t["user_details"].get(details));
    for (simdjson::dom::element d : details) {
      std::string_view address, user_status, sf;
      REQUIRE_FALSE(d["address"].get(address));
      REQUIRE_FALSE(d["status"].get(user_status));
      REQUIRE_FALSE(d["salesforce_user_id"].get(sf));
      out.push_back({std::string(address), std::string(user_status), std::string(sf)});
    }
  }
  return out;
}

// The corpus' user index: the digits that end the local part ("first.last6@").
int UserIndexOf(const std::string& address) {
  const std::size_t at = address.find('@');
  std::size_t begin = at;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(address[begin - 1]))) --begin;
  if (begin == at) return -1;
  return std::stoi(address.substr(begin, at - begin));
}

}  // namespace

TEST_CASE("source = group reads only the group's members, for Graph, Gmail and EWS", "[users][group]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "23", "--tenants", "3", "--users", std::to_string(kUsers), "--messages",
                                "120", "--providers", "graph,gmail,ews"});
  EditConfig(sim, [](const std::string& domain) {
    return "[tenants.users]\nsource = \"group\"\ngroup = \"Sales@" + domain + "\"\n";
  });
  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  const std::string report = ReadFile(s.report);
  INFO(report);
  for (int t = 0; t < 3; ++t) {
    CHECK(JsonInt(report, "tenants." + std::to_string(t) + ".users") == kUsers / 2);
  }
  for (const std::string& tenant : kTenants) {
    INFO(tenant);
    const auto users = UserDetails(sim, s, tenant);
    CHECK(users.size() == static_cast<std::size_t>(kUsers / 2));
    for (const auto& user : users) {
      INFO(user.address);
      const int index = UserIndexOf(user.address);
      CHECK(index >= 0);
      CHECK(index % 2 == 0);
      CHECK(user.status == "active");
    }
  }
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  // The ground truth holds every mailbox's mail, owned by its sender's
  // Salesforce user: the non-members' mail is missing, and mail a non-member
  // sent to a member is owned by the member (mismatched), so only the
  // exactly-once facts are asserted here.
  CHECK(v.missing > 0);
  CHECK(v.present > 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.isolation_violations == 0);
}

TEST_CASE("a group that does not exist is a tenant error naming the group", "[users][group]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "24", "--tenants", "2", "--users", "4", "--messages", "40", "--providers",
                                "graph,gmail"});
  EditConfig(sim, [](const std::string& domain) {
    return "[tenants.users]\nsource = \"group\"\ngroup = \"nobody@" + domain + "\"\n";
  });
  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 1);
  const std::string report = ReadFile(s.report);
  INFO(report);
  CHECK_THAT(report, Catch::Contains("users.group nobody@"));
  CHECK_THAT(report, Catch::Contains("not found"));
  CHECK(ParseVerify(sim.Get("/_sim/verify")).present == 0);
}

TEST_CASE("salesforce_match = federation_id owns every Task by the mailbox's Salesforce user", "[users][federation]") {
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "25", "--tenants", "3", "--users", std::to_string(kUsers), "--messages",
                                "120", "--providers", "graph,gmail,ews"});
  EditConfig(sim, [](const std::string&) { return "[tenants.users]\nsalesforce_match = \"federation_id\"\n"; });
  auto run = Run(sim, s);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  for (const std::string& tenant : kTenants) {
    INFO(tenant);
    const auto users = UserDetails(sim, s, tenant);
    CHECK(users.size() == static_cast<std::size_t>(kUsers));
    std::vector<std::string> ids;
    for (const auto& user : users) {
      INFO(user.address);
      CHECK(user.status == "active");
      CHECK(user.salesforce_user_id.rfind("005", 0) == 0);
      ids.push_back(user.salesforce_user_id);
    }
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  }
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.isolation_violations == 0);
}

TEST_CASE("a run writes back the record of every user when they take several state writes", "[users][memory]") {
  // More users than one write of the users family holds (256 at a time).
  constexpr int kManyUsers = 600;
  Setup s;
  SimProcess sim(s.dir.path(), {"--seed", "29", "--tenants", "1", "--users", std::to_string(kManyUsers),
                                "--messages", "1", "--providers", "graph"});
  auto run = Run(sim, s);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto users = UserDetails(sim, s, "tenant-1");
  CHECK(users.size() == static_cast<std::size_t>(kManyUsers));
  std::vector<std::string> addresses;
  for (const auto& user : users) {
    INFO(user.address);
    CHECK(user.status == "active");
    addresses.push_back(user.address);
  }
  std::sort(addresses.begin(), addresses.end());
  CHECK(std::adjacent_find(addresses.begin(), addresses.end()) == addresses.end());
  const std::string report = ReadFile(s.report);
  CHECK(JsonInt(report, "tenants.0.users") == kManyUsers);
}

// Secrets never leak: every secret of a full flow (client secrets, refresh
// tokens as configured, reissued and rotated, every access token handed
// out, the service account's private key, the provisioning HMAC secret) is
// searched for in everything crmsync leaves behind: its output on every
// command (error paths included), its reports, and the state directory,
// both as raw bytes on disk and as the decoded contents of every column
// family.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <simdjson.h>

#include <filesystem>
#include <regex>
#include <set>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

// Values of `key = "..."` lines of a TOML text.
std::vector<std::string> TomlValues(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  const std::regex line("^" + key + R"re(\s*=\s*"([^"]+)")re");
  std::smatch m;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (std::regex_search(l, m, line)) out.push_back(m[1]);
  }
  return out;
}

// Base64 lines of a PEM private key in a service-account JSON key file
// (JSON-escaped newlines), each long and unique enough to be a marker.
std::vector<std::string> PrivateKeyLines(const std::string& key_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::string> out;
  if (parser.parse(key_json).get(doc)) return out;
  std::string_view pem;
  if (doc["private_key"].get(pem)) return out;
  std::string_view id;
  if (!doc["private_key_id"].get(id)) out.emplace_back(id);
  std::istringstream in{std::string(pem)};
  for (std::string l; std::getline(in, l);) {
    if (l.size() >= 40 && l.find("-----") == std::string::npos) out.push_back(l);
  }
  return out;
}

std::vector<std::string> JsonStrings(const std::string& json, const char* array_key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::string> out;
  if (parser.parse(json).get(doc)) return out;
  simdjson::dom::array array;
  if (doc[array_key].get(array)) return out;
  for (auto item : array) {
    std::string_view text;
    if (!item.get(text)) out.emplace_back(text);
  }
  return out;
}

// Every key and value of every column family, decoded by RocksDB itself
// (the files on disk may be compressed).
std::string DumpState(const std::string& state_dir) {
  std::vector<std::string> families;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), state_dir, &families).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), state_dir, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string dump;
  for (auto* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      dump += it->key().ToString();
      dump += '\n';
      dump += it->value().ToString();
      dump += '\n';
    }
    db->DestroyColumnFamilyHandle(handle);
  }
  return dump;
}

std::string RawFiles(const std::string& dir) {
  std::string all;
  if (!std::filesystem::exists(dir)) return all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) all += ReadFile(entry.path().string());
  }
  return all;
}

}  // namespace

TEST_CASE("no secret appears in output, reports or the state, on success and error paths", "[secrets]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "31", "--tenants", "2", "--users", "6", "--messages", "6", "--providers",
                              "graph,gmail", "--rotate-refresh-tokens", "--token-ttl", "2"});
  const std::string state = dir.path() + "/state";
  const std::string hmac_secret = "crmsync-marker-hmac-5f1c0e7d9a3b4c2e8f6a1d0b";
  // The provisioning API of the last tenant (tenant-2), with a planted secret.
  std::string config_text = ReadFile(sim.config_path());
  config_text += "[tenants.provisioning]\nhmac_secrets = [\"" + hmac_secret + "\"]\n";
  const std::string config = dir.path() + "/crmsync.toml";
  WriteFile(config, config_text);

  std::set<std::string> markers{hmac_secret};
  for (const char* key : {"client_secret", "refresh_token"}) {
    for (auto& v : TomlValues(config_text, key)) markers.insert(v);
  }
  const std::string key_file = dir.path() + "/tenant-2-service-account.json";
  for (auto& line : PrivateKeyLines(ReadFile(key_file))) markers.insert(line);
  REQUIRE(markers.size() >= 8);

  std::string output;
  std::vector<std::string> reports;
  auto crmsync = [&](std::vector<std::string> args) {
    ProcessResult r = RunCrmsync(args);
    output += r.output;
    return r;
  };
  auto run = [&](const std::string& config_path) {
    const std::string report = dir.path() + "/report-" + std::to_string(reports.size()) + ".json";
    reports.push_back(report);
    return crmsync({"run", "--config", config_path, "--state", state, "--report", report});
  };

  REQUIRE(crmsync({"connect", "google", "--config", config, "--tenant", "tenant-2", "--key-file", key_file, "--state",
                   state})
              .exit_code == 0);
  CHECK(run(config).exit_code == 0);

  // Error path: the Salesforce grant revoked mid-flow, then reconnected.
  sim.Post("/_sim/revoke?tenant=tenant-1", "");
  sim.Post("/_sim/advance", R"({"messages":1})");
  CHECK(run(config).exit_code == 3);
  const auto reissued = sim.Post("/_sim/reissue?tenant=tenant-1", "");
  const std::string new_refresh = reissued.substr(reissued.find("\"refresh_token\":\"") + 17);
  markers.insert(new_refresh.substr(0, new_refresh.find('"')));
  const std::string token_file = dir.path() + "/refresh-token";
  WriteFile(token_file, *markers.find(new_refresh.substr(0, new_refresh.find('"'))) + "\n");
  CHECK(crmsync({"connect", "salesforce", "--config", config, "--state", state, "--tenant", "tenant-1", "--refresh",
                 "--refresh-token-file", token_file})
            .exit_code == 0);
  const ProcessResult resumed = run(config);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);

  // Error path: a wrong client secret (itself a marker) is refused by name.
  const std::string wrong_secret = "crmsync-marker-wrong-client-secret-9e8d7c6b5a";
  markers.insert(wrong_secret);
  std::string wrong_text = config_text;
  const std::string first_secret = TomlValues(config_text, "client_secret").front();
  wrong_text.replace(wrong_text.find(first_secret), first_secret.size(), wrong_secret);
  const std::string wrong_config = dir.path() + "/wrong.toml";
  WriteFile(wrong_config, wrong_text);
  CHECK(run(wrong_config).exit_code != 0);

  // Error path: a provisioning secret too short is a configuration error.
  const std::string short_hmac = "crmsync-marker-short";
  markers.insert(short_hmac);
  std::string short_text = config_text;
  short_text.replace(short_text.find(hmac_secret), hmac_secret.size(), short_hmac);
  const std::string short_config = dir.path() + "/short.toml";
  WriteFile(short_config, short_text);
  auto refused = crmsync({"status", "--config", short_config, "--state", state});
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.output, Catch::Contains("hmac_secrets"));

  crmsync({"status", "--config", config, "--state", state});
  crmsync({"status", "--config", config, "--state", state, "--json"});
  const std::string body_file = dir.path() + "/body.json";
  WriteFile(body_file, R"({"users":[]})");
  CHECK(crmsync({"sign", "--config", config, "--tenant", "tenant-2", "--method", "POST", "--path",
                 "/v1/tenants/tenant-2/users", "--body-file", body_file, "--curl", "http://127.0.0.1:1"})
            .exit_code == 0);
  const std::string key_before = ReadFile(state + ".key");
  const ProcessResult rotated = crmsync({"keys", "rotate", "--state", state});
  INFO(rotated.output);
  REQUIRE(rotated.exit_code == 0);
  // Both tenants' Salesforce refresh tokens (rotated by every grant, stored
  // sealed), tenant-2's service-account key, and the access tokens kept for
  // the next run: tenant-1's application token, tenant-2's Directory token
  // and one per mailbox (6).
  CHECK_THAT(rotated.output, Catch::Contains("re-sealed 11 secret(s)"));
  CHECK(ReadFile(state + ".key") != key_before);
  // The sealed secrets open with the new key: the next run connects both tenants.
  const ProcessResult after_rotation = run(config);
  INFO(after_rotation.output);
  CHECK(after_rotation.exit_code == 0);

  // Every access token and rotated refresh token the simulator handed out.
  const auto issued = JsonStrings(sim.Get("/_sim/issued-tokens"), "tokens");
  CHECK(issued.size() >= 4);
  for (const auto& token : issued) markers.insert(token);

  std::string reports_text;
  for (const auto& r : reports) reports_text += ReadFile(r);
  REQUIRE(!reports_text.empty());
  const std::string raw_state = RawFiles(state);
  const std::string decoded_state = DumpState(state);
  REQUIRE(decoded_state.find("tenant-1") != std::string::npos);   // the dump did read the state
  for (const auto& marker : markers) {
    INFO("marker of " << marker.size() << " characters, starting " << marker.substr(0, 4));
    CHECK(output.find(marker) == std::string::npos);
    CHECK(reports_text.find(marker) == std::string::npos);
    CHECK(raw_state.find(marker) == std::string::npos);
    CHECK(decoded_state.find(marker) == std::string::npos);
  }
}

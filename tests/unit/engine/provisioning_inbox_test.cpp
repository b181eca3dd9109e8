// The provisioning inbox: atomic entry files, ordered application to the
// users family, rejection of what cannot be applied, idempotent re-application.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/state/store.hpp"
#include "temp_dir.hpp"

using crmsync::engine::ApplyInbox;
using crmsync::engine::Config;
using crmsync::engine::InboxDir;
using crmsync::engine::InboxEntry;
using crmsync::engine::ReadInboxEntry;
using crmsync::engine::WriteInboxEntry;
using crmsync::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string Tenant(const std::string& id, const std::string& activation) {
  return "[[tenants]]\nid = \"" + id + "\"\ndomains = [\"" + id + ".example\"]\nactivation = \"" + activation +
         "\"\n[tenants.microsoft]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n"
         "[tenants.salesforce]\nclient_id = \"sc\"\nclient_secret = \"ss\"\nrefresh_token = \"rt\"\n";
}

Config TestConfig() {
  auto config = crmsync::engine::ParseConfig(Tenant("acme", "immediate") + Tenant("beta", "first_logon"), "t.toml");
  REQUIRE(config.ok());
  return config.value();
}

InboxEntry Upsert(const std::string& tenant, const std::string& user, std::int64_t at) {
  InboxEntry e;
  e.op = InboxEntry::Op::kUpsert;
  e.tenant = tenant;
  e.user_id = user;
  e.email = user + "@" + tenant + ".example";
  e.aliases = {"alias-" + user + "@" + tenant + ".example"};
  e.salesforce_user_id = "005000000000001AAA";
  e.accepted_unix_ms = at;
  return e;
}

InboxEntry Delete(const std::string& tenant, const std::string& user, std::int64_t at) {
  InboxEntry e;
  e.op = InboxEntry::Op::kDelete;
  e.tenant = tenant;
  e.user_id = user;
  e.accepted_unix_ms = at;
  return e;
}

struct Fixture {
  TempDir dir;
  std::string state_dir = dir.Sub("state");
  Config config = TestConfig();
  std::unique_ptr<crmsync::state::Store> store;
  Fixture() {
    auto opened = crmsync::state::Store::Open(state_dir);
    REQUIRE(opened.ok());
    store = std::move(opened.value());
  }
  crmsync::state::UserRecord User(const std::string& tenant, const std::string& user) {
    auto record = store->GetUser(tenant, user);
    REQUIRE(record.ok());
    REQUIRE(record.value().has_value());
    return *record.value();
  }
  std::size_t InboxFiles() {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(InboxDir(state_dir))) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
};

}  // namespace

TEST_CASE("inbox: entries are written atomically, sort in acceptance order and read back", "[inbox]") {
  TempDir dir;
  auto first = WriteInboxEntry(dir.path().string(), Upsert("acme", "u1", 1));
  auto second = WriteInboxEntry(dir.path().string(), Delete("acme", "u1", 2));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(fs::path(first.value()).filename().string() < fs::path(second.value()).filename().string());
  for (const auto& e : fs::directory_iterator(InboxDir(dir.path().string()))) {
    CHECK(e.path().filename().string().front() != '.');   // no temp file left behind
  }
  auto read = ReadInboxEntry(first.value());
  REQUIRE(read.ok());
  CHECK(read->op == InboxEntry::Op::kUpsert);
  CHECK(read->tenant == "acme");
  CHECK(read->email == "u1@acme.example");
  REQUIRE(read->aliases.size() == 1);
  CHECK(read->aliases[0] == "alias-u1@acme.example");
  CHECK(read->salesforce_user_id == "005000000000001AAA");
  CHECK(read->accepted_unix_ms == 1);
  auto read_delete = ReadInboxEntry(second.value());
  REQUIRE(read_delete.ok());
  CHECK(read_delete->op == InboxEntry::Op::kDelete);
}

TEST_CASE("inbox: upserts become active provisioned users, or pending under first_logon", "[inbox]") {
  Fixture f;
  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("acme", "u1", 1000)).ok());
  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("beta", "u2", 1001)).ok());
  auto summary = ApplyInbox(f.config, *f.store, f.state_dir);
  REQUIRE(summary.ok());
  CHECK(summary->upserted == 2);
  CHECK(summary->rejected == 0);
  CHECK(f.InboxFiles() == 0);

  const auto u1 = f.User("acme", "u1");
  CHECK(u1.status == "active");
  CHECK(u1.reason.empty());
  CHECK(u1.source == "provisioned");
  CHECK(u1.primary == "u1@acme.example");
  CHECK(u1.salesforce_user_id == "005000000000001AAA");
  CHECK(u1.status_since_unix_ms == 1000);
  const auto u2 = f.User("beta", "u2");
  CHECK(u2.status == "pending");
  CHECK(u2.reason == "awaiting first logon");
}

TEST_CASE("inbox: an upsert keeps counters, a delete disables, in acceptance order", "[inbox]") {
  Fixture f;
  crmsync::state::UserRecord existing;
  existing.status = "active";
  existing.primary = "old@acme.example";
  existing.source = "directory";
  existing.captured = 42;
  existing.last_success_unix_ms = 777;
  existing.status_since_unix_ms = 5;
  REQUIRE(f.store->PutUsers("acme", {{"u1", existing}}).ok());

  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("acme", "u1", 1000)).ok());
  REQUIRE(ApplyInbox(f.config, *f.store, f.state_dir).ok());
  auto updated = f.User("acme", "u1");
  CHECK(updated.primary == "u1@acme.example");
  CHECK(updated.captured == 42);
  CHECK(updated.last_success_unix_ms == 777);
  CHECK(updated.status_since_unix_ms == 5);   // still active: unchanged

  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("acme", "u1", 2000)).ok());
  REQUIRE(WriteInboxEntry(f.state_dir, Delete("acme", "u1", 3000)).ok());
  REQUIRE(WriteInboxEntry(f.state_dir, Delete("acme", "ghost", 3001)).ok());
  auto summary = ApplyInbox(f.config, *f.store, f.state_dir);
  REQUIRE(summary.ok());
  CHECK(summary->upserted == 1);
  CHECK(summary->disabled == 1);
  CHECK(summary->unknown_deletes == 1);
  auto disabled = f.User("acme", "u1");
  CHECK(disabled.status == "disabled");
  CHECK(disabled.reason == "deprovisioned");
  CHECK(disabled.status_since_unix_ms == 3000);
  CHECK(disabled.captured == 42);
  auto ghost = f.store->GetUser("acme", "ghost");
  REQUIRE(ghost.ok());
  CHECK_FALSE(ghost.value().has_value());
}

TEST_CASE("inbox: unknown tenants and unreadable files move to rejected/ with a reason", "[inbox]") {
  Fixture f;
  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("nobody", "u1", 1)).ok());
  {
    std::ofstream garbage(InboxDir(f.state_dir) + "/00000000000000000001-0000000001.json");
    garbage << "{\"version\":1,\"op\":\"upsert\",\"tenant\":";   // truncated
  }
  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("acme", "u9", 2)).ok());
  auto summary = ApplyInbox(f.config, *f.store, f.state_dir);
  REQUIRE(summary.ok());
  CHECK(summary->rejected == 2);
  CHECK(summary->upserted == 1);
  CHECK(f.User("acme", "u9").status == "active");

  const fs::path rejected = fs::path(InboxDir(f.state_dir)) / "rejected";
  std::size_t entries = 0;
  std::size_t reasons = 0;
  std::string all_reasons;
  for (const auto& e : fs::directory_iterator(rejected)) {
    if (e.path().extension() == ".reason") {
      ++reasons;
      std::ifstream in(e.path());
      all_reasons += std::string(std::istreambuf_iterator<char>(in), {});
    } else {
      ++entries;
    }
  }
  CHECK(entries == 2);
  CHECK(reasons == 2);
  CHECK_THAT(all_reasons, Catch::Contains("tenant \"nobody\" is not in the configuration"));
  CHECK_THAT(all_reasons, Catch::Contains("00000000000000000001-0000000001.json"));
  // Nothing is left to apply, and a second pass changes nothing.
  auto again = ApplyInbox(f.config, *f.store, f.state_dir);
  REQUIRE(again.ok());
  CHECK(again->rejected == 0);
  CHECK(again->upserted == 0);
}

TEST_CASE("inbox: re-applying an entry after a crash before its removal changes nothing", "[inbox]") {
  Fixture f;
  auto path = WriteInboxEntry(f.state_dir, Upsert("beta", "u1", 1000));
  REQUIRE(path.ok());
  const std::string saved = path.value() + ".saved";
  fs::copy_file(path.value(), saved);
  REQUIRE(ApplyInbox(f.config, *f.store, f.state_dir).ok());
  const auto first = f.User("beta", "u1");
  // The crash: PutUsers happened, the file is still there.
  fs::rename(saved, path.value());
  auto summary = ApplyInbox(f.config, *f.store, f.state_dir);
  REQUIRE(summary.ok());
  CHECK(summary->upserted == 1);
  const auto second = f.User("beta", "u1");
  CHECK(second.status == first.status);
  CHECK(second.status_since_unix_ms == first.status_since_unix_ms);
  CHECK(second.primary == first.primary);
  CHECK(second.aliases == first.aliases);
  CHECK(f.InboxFiles() == 0);
}

TEST_CASE("inbox: a missing inbox is empty", "[inbox]") {
  Fixture f;
  auto summary = ApplyInbox(f.config, *f.store, f.state_dir + "-elsewhere");
  REQUIRE(summary.ok());
  CHECK(summary->upserted == 0);
}

TEST_CASE("inbox: an activation records the first logon of a known user by id or address", "[provisioning][inbox]") {
  Fixture f;
  REQUIRE(WriteInboxEntry(f.state_dir, Upsert("beta", "u1", 1)).ok());
  REQUIRE(ApplyInbox(f.config, *f.store, f.state_dir).ok());
  CHECK(f.User("beta", "u1").status == "pending");
  CHECK_FALSE(f.User("beta", "u1").activated);

  InboxEntry activate = Delete("beta", "ALIAS-u1@beta.example", 2);   // any alias, any case
  activate.op = InboxEntry::Op::kActivate;
  InboxEntry unknown = Delete("beta", "nobody", 3);
  unknown.op = InboxEntry::Op::kActivate;
  REQUIRE(WriteInboxEntry(f.state_dir, activate).ok());
  REQUIRE(WriteInboxEntry(f.state_dir, unknown).ok());
  auto summary = ApplyInbox(f.config, *f.store, f.state_dir);
  REQUIRE(summary.ok());
  CHECK(summary.value().activated == 1);
  CHECK(summary.value().rejected == 1);
  CHECK(f.User("beta", "u1").activated);
  // The entry round-trips through its file with its op.
  auto path = WriteInboxEntry(f.state_dir, activate);
  REQUIRE(path.ok());
  auto read = ReadInboxEntry(path.value());
  REQUIRE(read.ok());
  CHECK(read.value().op == InboxEntry::Op::kActivate);
}

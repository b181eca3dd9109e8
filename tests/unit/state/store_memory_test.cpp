// RocksDB's memory as a run sees it: what is read once per run (cursors,
// user records) leaves the block cache empty; what is read again (the
// ledger) fills it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using testing::TempDir;

constexpr int kStreams = 3000;

std::string UserId(int i) { return "user-" + std::to_string(i); }
std::string LedgerKey(int i) { return "<message-" + std::to_string(i) + "@mail.example>"; }

// Writes a cursor, a user record and a ledger entry per stream, then reopens
// the store so that they are read from tables, not from memtables.
std::unique_ptr<Store> StoreWithTables(const std::string& dir) {
  {
    auto store = Store::Open(dir);
    REQUIRE(store.ok());
    CheckpointBatch batch;
    std::vector<std::pair<std::string, UserRecord>> users;
    for (int i = 0; i < kStreams; ++i) {
      // A deltaLink's length: the cursors of a few thousand streams fill many blocks.
      batch.cursors.emplace_back(StreamId{"acme", UserId(i), "mail/inbox"},
                                 Cursor{std::string(200, 'd') + std::to_string(i), 1});
      batch.ledger.emplace_back("acme", LedgerKey(i), LedgerEntry{"00T" + std::to_string(i), "Task", UserId(i), 1});
      UserRecord record;
      record.primary = UserId(i) + "@acme.example";
      record.status = "active";
      users.emplace_back(UserId(i), record);
    }
    REQUIRE(store.value()->Commit(batch).ok());
    REQUIRE(store.value()->PutUsers("acme", users).ok());
  }
  auto reopened = Store::Open(dir);
  REQUIRE(reopened.ok());
  return std::move(reopened).value();
}

TEST_CASE("reads done once per run leave the block cache empty, ledger lookups fill it", "[state][memory]") {
  TempDir dir;
  auto store = StoreWithTables(dir.Sub("state"));
  // Opening may cache a few bytes of metadata; no data block is cached yet.
  const std::uint64_t at_open = store->Memory().block_cache;
  constexpr std::uint64_t kOneBlock = 4096;
  REQUIRE(at_open < kOneBlock);

  for (int i = 0; i < kStreams; ++i) {
    auto cursor = store->GetCursor(StreamId{"acme", UserId(i), "mail/inbox"});
    REQUIRE(cursor.ok());
    REQUIRE(cursor.value().has_value());
    CHECK(cursor.value()->position == std::string(200, 'd') + std::to_string(i));
  }
  int users = 0;
  REQUIRE(store->ForEachUser("acme", [&users](const std::string&, const UserRecord&) {
                 ++users;
                 return Status::Ok();
               }).ok());
  CHECK(users == kStreams);
  // ~700 KB of cursors and users were read.
  CHECK(store->Memory().block_cache == at_open);

  std::vector<std::string> keys;
  for (int i = 0; i < kStreams; ++i) keys.push_back(LedgerKey(i));
  auto found = store->GetLedgerMany("acme", keys);
  REQUIRE(found.ok());
  for (const auto& entry : found.value()) REQUIRE(entry.has_value());
  CHECK(store->Memory().block_cache > at_open + 16 * kOneBlock);
}

TEST_CASE("the store reports its memtables", "[state][memory]") {
  TempDir dir;
  auto store = Store::Open(dir.Sub("state"));
  REQUIRE(store.ok());
  const std::uint64_t empty = store.value()->Memory().memtables;
  CheckpointBatch batch;
  for (int i = 0; i < 100; ++i) {
    batch.cursors.emplace_back(StreamId{"acme", UserId(i), "mail/inbox"}, Cursor{std::string(200, 'd'), 1});
  }
  REQUIRE(store.value()->Commit(batch).ok());
  CHECK(store.value()->Memory().memtables >= empty + 100 * 200);
}

}  // namespace
}  // namespace crmsync::state

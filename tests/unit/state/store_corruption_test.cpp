// What the store leaves on disk, seen through a raw RocksDB handle: the column
// families exist, and bytes it cannot decode come back as kCorruption naming
// the family and key, never as a crash or a default-constructed value.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <algorithm>
#include <memory>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using Catch::Matchers::Contains;
using testing::TempDir;

// Opens the directory as RocksDB itself would, with every family on disk.
struct RawDb {
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &raw);
    INFO(s.ToString());
    REQUIRE(s.ok());
    db.reset(raw);
    family_names = names;
  }
  ~RawDb() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->Close().PermitUncheckedError();
  }
  rocksdb::ColumnFamilyHandle* Family(const std::string& name) {
    auto it = std::find(family_names.begin(), family_names.end(), name);
    REQUIRE(it != family_names.end());
    return handles[static_cast<std::size_t>(it - family_names.begin())];
  }
  // Replaces the values of the family's keys, in key order, with `values`.
  void Overwrite(const std::string& family, const std::vector<std::string>& values) {
    auto* cf = Family(family);
    std::vector<std::string> keys;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    REQUIRE(it->status().ok());
    REQUIRE(keys.size() == values.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      REQUIRE(db->Put(rocksdb::WriteOptions(), cf, keys[i], values[i]).ok());
    }
  }

  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::vector<std::string> family_names;
};

TEST_CASE("state: open creates every column family of DESIGN.md", "[state]") {
  TempDir dir;
  REQUIRE_OK(Store::Open(dir.path()));
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &names).ok());
  for (const char* family :
       {"cursor", "ledger", "directory", "users", "secrets", "nonce", "quarantine", "runs"}) {
    INFO(family);
    CHECK(std::find(names.begin(), names.end(), family) != names.end());
  }
}

TEST_CASE("state: undecodable values are kCorruption naming family and key", "[state]") {
  TempDir dir;
  {
    auto store = Store::Open(dir.path());
    REQUIRE_OK(store);
    CheckpointBatch batch;
    batch.ledger.emplace_back("t", "k1", LedgerEntry{"00T1", "Task", "u", 1});
    batch.ledger.emplace_back("t", "k2", LedgerEntry{"00T2", "Task", "u", 2});
    batch.ledger.emplace_back("t", "k3", LedgerEntry{"00T3", "Task", "u", 3});
    batch.cursors.push_back({StreamId{"t", "u", "mail"}, Cursor{"p", 1}});
    batch.quarantine.emplace_back("t", "q", QuarantineEntry{"E", "m", 1, "u", 1});
    REQUIRE_OK(store.value()->Commit(batch));
    REQUIRE_OK(store.value()->PutRun("20261123T221500Z-1-1", "{}"));
  }
  {
    RawDb raw(dir.path());
    // k1: a future encoding version; k2: version 1 cut short; k3: an extra byte.
    raw.Overwrite("ledger", {std::string("\x7f" "garbage"), std::string("\x01\x04" "00"),
                             std::string("\x01\x04" "00T3\x04Task\x01u\x03\x00", 15)});
    raw.Overwrite("cursor", {std::string()});
    raw.Overwrite("quarantine", {std::string("\x02", 1)});
    raw.Overwrite("runs", {std::string("\x00{}", 3)});
  }
  auto store = Store::Open(dir.path());
  REQUIRE_OK(store);
  auto& s = *store.value();

  auto k1 = s.GetLedger("t", "k1");
  REQUIRE_FALSE(k1.ok());
  CHECK(k1.status().code() == StatusCode::kCorruption);
  CHECK_THAT(k1.status().message(), Contains("ledger"));
  CHECK_THAT(k1.status().message(), Contains("k1"));
  CHECK_THAT(k1.status().message(), Contains("version 127"));

  auto k2 = s.GetLedger("t", "k2");
  REQUIRE_FALSE(k2.ok());
  CHECK(k2.status().code() == StatusCode::kCorruption);
  CHECK_THAT(k2.status().message(), Contains("k2"));
  CHECK_THAT(k2.status().message(), Contains("truncated"));

  auto k3 = s.GetLedger("t", "k3");
  REQUIRE_FALSE(k3.ok());
  CHECK(k3.status().code() == StatusCode::kCorruption);
  CHECK_THAT(k3.status().message(), Contains("trailing"));

  auto many = s.GetLedgerMany("t", {"absent", "k2"});
  REQUIRE_FALSE(many.ok());
  CHECK(many.status().code() == StatusCode::kCorruption);
  CHECK_THAT(many.status().message(), Contains("k2"));

  // Counting does not decode values.
  auto count = s.CountLedger("t");
  REQUIRE_OK(count);
  CHECK(count.value() == 3);

  auto cursor = s.GetCursor(StreamId{"t", "u", "mail"});
  REQUIRE_FALSE(cursor.ok());
  CHECK(cursor.status().code() == StatusCode::kCorruption);
  CHECK_THAT(cursor.status().message(), Contains("cursor"));
  auto cursors = s.ListCursors("t");
  REQUIRE_FALSE(cursors.ok());
  CHECK(cursors.status().code() == StatusCode::kCorruption);

  auto quarantine = s.ListQuarantine("t");
  REQUIRE_FALSE(quarantine.ok());
  CHECK(quarantine.status().code() == StatusCode::kCorruption);
  CHECK_THAT(quarantine.status().message(), Contains("quarantine"));

  auto run = s.GetRun("20261123T221500Z-1-1");
  REQUIRE_FALSE(run.ok());
  CHECK(run.status().code() == StatusCode::kCorruption);
  CHECK_THAT(run.status().message(), Contains("runs"));

  // A healthy write after the corruption still works.
  CheckpointBatch healthy;
  healthy.ledger.emplace_back("t", "k4", LedgerEntry{"00T4", "Task", "u", 4});
  REQUIRE_OK(s.Commit(healthy));
}

}  // namespace
}  // namespace crmsync::state

namespace crmsync::state {
namespace {

TEST_CASE("state: quarantine entries from before the record was kept still read", "[state][quarantine]") {
  TempDir dir;
  {
    auto store = Store::Open(dir.path());
    REQUIRE_OK(store);
    CheckpointBatch batch;
    batch.quarantine.emplace_back("t", "k", QuarantineEntry{"E", "m", 2, "u", 5, "R"});
    REQUIRE(store.value()->Commit(batch).ok());
    auto listed = store.value()->ListQuarantine("t");
    REQUIRE_OK(listed);
    REQUIRE(listed.value().size() == 1);
    CHECK(listed.value()[0].second.record == "R");
  }
  {
    // The older encoding ends after updated_unix_ms: drop the record field
    // (one length byte and "R").
    RawDb raw(dir.path());
    std::string value;
    std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), raw.Family("quarantine")));
    it->SeekToFirst();
    REQUIRE(it->Valid());
    value = it->value().ToString();
    REQUIRE(value.size() > 2);
    REQUIRE(value.substr(value.size() - 2) == std::string("\x01R", 2));
    raw.Overwrite("quarantine", {value.substr(0, value.size() - 2)});
  }
  auto store = Store::Open(dir.path());
  REQUIRE_OK(store);
  auto listed = store.value()->ListQuarantine("t");
  REQUIRE_OK(listed);
  REQUIRE(listed.value().size() == 1);
  const QuarantineEntry& e = listed.value()[0].second;
  CHECK(e.error_code == "E");
  CHECK(e.attempts == 2);
  CHECK(e.updated_unix_ms == 5);
  CHECK(e.record.empty());
}

}  // namespace
}  // namespace crmsync::state

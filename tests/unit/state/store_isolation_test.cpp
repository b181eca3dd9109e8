// Keys of different entities, users and tenants never alias each other, and
// concurrent callers see consistent data.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using testing::OpenStore;
using testing::TempDir;

TEST_CASE("state: components containing the separator never collide", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  CheckpointBatch batch;
  batch.cursors.push_back({StreamId{"t", "a/b", "c"}, Cursor{"first", 1}});
  batch.cursors.push_back({StreamId{"t", "a", "b/c"}, Cursor{"second", 2}});
  batch.ledger.emplace_back("a/b", "c", LedgerEntry{"id-1", "Task", "u", 1});
  batch.ledger.emplace_back("a", "b/c", LedgerEntry{"id-2", "Task", "u", 2});
  REQUIRE_OK(store->Commit(batch));

  auto first = store->GetCursor(StreamId{"t", "a/b", "c"});
  auto second = store->GetCursor(StreamId{"t", "a", "b/c"});
  REQUIRE_OK(first);
  REQUIRE_OK(second);
  CHECK(first.value()->position == "first");
  CHECK(second.value()->position == "second");
  auto joined = store->GetCursor(StreamId{"t", "a/b/c", ""});
  REQUIRE_OK(joined);
  CHECK_FALSE(joined.value().has_value());

  auto listed = store->ListCursors("t");
  REQUIRE_OK(listed);
  REQUIRE(listed.value().size() == 2);
  for (const auto& [id, cursor] : listed.value()) {
    if (cursor.position == "first") {
      CHECK((id.user == "a/b" && id.stream == "c"));
    } else {
      CHECK((id.user == "a" && id.stream == "b/c"));
    }
  }

  auto l1 = store->GetLedger("a/b", "c");
  auto l2 = store->GetLedger("a", "b/c");
  REQUIRE_OK(l1);
  REQUIRE_OK(l2);
  CHECK(l1.value()->salesforce_id == "id-1");
  CHECK(l2.value()->salesforce_id == "id-2");
  auto c1 = store->CountLedger("a");
  REQUIRE_OK(c1);
  CHECK(c1.value() == 1);
}

TEST_CASE("state: tenants whose ids are prefixes of each other stay isolated", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  const std::vector<std::string> tenants = {"t", "t1", "t10", "t1\x01", "t2"};
  CheckpointBatch batch;
  for (const auto& t : tenants) {
    batch.cursors.push_back({StreamId{t, "u", "mail/inbox"}, Cursor{"pos-" + t, 1}});
    batch.cursors.push_back({StreamId{t, "v", "mail/sentitems"}, Cursor{"pos-" + t, 1}});
    batch.ledger.emplace_back(t, "k-" + t, LedgerEntry{"id-" + t, "Task", "u", 1});
    batch.quarantine.emplace_back(t, "q-" + t, QuarantineEntry{"E", "m", 1, "u", 1});
  }
  REQUIRE_OK(store->Commit(batch));

  for (const auto& t : tenants) {
    INFO("tenant " << t);
    auto cursors = store->ListCursors(t);
    REQUIRE_OK(cursors);
    REQUIRE(cursors.value().size() == 2);
    for (const auto& [id, cursor] : cursors.value()) {
      CHECK(id.tenant == t);
      CHECK(cursor.position == "pos-" + t);
    }
    auto count = store->CountLedger(t);
    REQUIRE_OK(count);
    CHECK(count.value() == 1);
    auto quarantine = store->ListQuarantine(t);
    REQUIRE_OK(quarantine);
    REQUIRE(quarantine.value().size() == 1);
    CHECK(quarantine.value()[0].first == "q-" + t);
    auto other = store->GetLedger(t, "k-t1");
    REQUIRE_OK(other);
    CHECK(other.value().has_value() == (t == "t1"));
  }
  auto absent = store->ListCursors("t3");
  REQUIRE_OK(absent);
  CHECK(absent.value().empty());
}

TEST_CASE("state: concurrent commits and reads from several threads", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  constexpr int kThreads = 4;
  constexpr int kBatchesPerThread = 100;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads);
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kBatchesPerThread; ++i) {
        std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
        CheckpointBatch batch;
        batch.ledger.emplace_back("t", key, LedgerEntry{key, "Task", "u", i});
        batch.cursors.push_back({StreamId{"t", "w" + std::to_string(w), "mail"}, Cursor{key, i}});
        Status s = store->Commit(batch);
        if (!s.ok()) {
          failures[w] = s.ToString();
          return;
        }
        // Read-your-writes from the same thread.
        auto got = store->GetLedgerMany("t", {key});
        if (!got.ok() || !got.value()[0] || got.value()[0]->salesforce_id != key) {
          failures[w] = "read back of " + key + " failed";
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& f : failures) CHECK(f.empty());
  auto count = store->CountLedger("t");
  REQUIRE_OK(count);
  CHECK(count.value() == kThreads * kBatchesPerThread);
  auto cursors = store->ListCursors("t");
  REQUIRE_OK(cursors);
  REQUIRE(cursors.value().size() == kThreads);
  for (const auto& [id, cursor] : cursors.value()) {
    CHECK(cursor.updated_unix_ms == kBatchesPerThread - 1);
  }
}

}  // namespace
}  // namespace crmsync::state

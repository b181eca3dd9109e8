// What Commit() returned survives a close, and survives kill -9 of the
// process; a checkpoint batch is never half applied.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using testing::ChildProcess;
using testing::TempDir;

TEST_CASE("state: a committed batch is entirely visible after close and reopen", "[state]") {
  TempDir dir;
  StreamId id{"t", "u", "mail/inbox"};
  {
    auto store = Store::Open(dir.path());
    REQUIRE_OK(store);
    CheckpointBatch batch;
    batch.cursors.push_back({id, Cursor{"delta-2", 2}});
    batch.ledger.emplace_back("t", "<a@x>", LedgerEntry{"00T1", "Task", "u", 2});
    batch.ledger.emplace_back("t", "<b@x>", LedgerEntry{"00T2", "Task", "u", 2});
    batch.quarantine.emplace_back("t", "<c@x>", QuarantineEntry{"E", "m", 1, "u", 2});
    batch.directory.emplace_back("t", "ann@x", DirectoryEntry{"Contact", "003", 2});
    REQUIRE_OK(store.value()->Commit(batch));
    REQUIRE_OK(store.value()->PutRun("20261123T221500Z-1-1", "{\"ok\":true}"));
  }
  auto store = Store::Open(dir.path());
  REQUIRE_OK(store);
  auto& s = *store.value();
  auto cursor = s.GetCursor(id);
  REQUIRE_OK(cursor);
  REQUIRE(cursor.value().has_value());
  CHECK(cursor.value()->position == "delta-2");
  auto ledger = s.GetLedgerMany("t", {"<a@x>", "<b@x>"});
  REQUIRE_OK(ledger);
  CHECK(ledger.value()[0].has_value());
  CHECK(ledger.value()[1].has_value());
  auto quarantine = s.ListQuarantine("t");
  REQUIRE_OK(quarantine);
  CHECK(quarantine.value().size() == 1);
  auto directory = s.GetDirectory("t", "ann@x");
  REQUIRE_OK(directory);
  CHECK(directory.value().has_value());
  auto run = s.GetRun("20261123T221500Z-1-1");
  REQUIRE_OK(run);
  CHECK(run.value() == std::optional<std::string>("{\"ok\":true}"));
}

constexpr std::uint32_t kMaxBatches = 1'000'000;  // never reached: the parent kills first
constexpr std::uint32_t kKillAfterAcks = 300;
constexpr int kLedgerPerBatch = 4;
constexpr int kAckTimeoutMs = 30'000;

std::string LedgerKey(std::uint32_t batch, int j) {
  return "<b" + std::to_string(batch) + "-" + std::to_string(j) + "@x>";
}

CheckpointBatch CrashBatch(std::uint32_t i) {
  CheckpointBatch batch;
  // One shared stream: its position names the last batch applied, which ties
  // the cursor to the ledger entries of the same batch.
  batch.cursors.push_back({StreamId{"t", "u", "mail/inbox"}, Cursor{std::to_string(i), i}});
  for (int j = 0; j < kLedgerPerBatch; ++j) {
    batch.ledger.emplace_back("t", LedgerKey(i, j), LedgerEntry{"00T" + std::to_string(i), "Task", "u", i});
  }
  batch.quarantine.emplace_back("t", "q" + std::to_string(i), QuarantineEntry{"E", "m", 1, "u", i});
  batch.directory.emplace_back("t", "d" + std::to_string(i) + "@x", DirectoryEntry{"", "", i});
  return batch;
}

// The child: commit batches in order and report each one Commit() returned.
// Never returns into Catch2.
[[noreturn]] void CrashChild(const std::string& dir, int ack_fd) {
  auto store = Store::Open(dir);
  if (!store.ok()) ::_exit(2);
  for (std::uint32_t i = 0; i < kMaxBatches; ++i) {
    if (!store.value()->Commit(CrashBatch(i)).ok()) ::_exit(3);
    if (!testing::WriteAll(ack_fd, &i, sizeof i)) ::_exit(4);
  }
  ::_exit(0);
}

TEST_CASE("state: kill -9 mid-stream keeps every acknowledged batch, each all or nothing", "[state][crash]") {
  TempDir dir;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    CrashChild(dir.path(), fds[1]);
  }
  ::close(fds[1]);
  ChildProcess child(pid);

  std::int64_t last_acked = -1;
  std::uint32_t ack = 0;
  while (last_acked + 1 < kKillAfterAcks) {
    REQUIRE(testing::ReadWithTimeout(fds[0], &ack, sizeof ack, kAckTimeoutMs) == sizeof ack);
    REQUIRE(ack == static_cast<std::uint32_t>(last_acked + 1));
    last_acked = ack;
  }
  // Killed while committing: the child never stops on its own.
  child.Kill();
  int status = child.Wait();
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  // Acks written before the kill are still in the pipe.
  while (testing::ReadWithTimeout(fds[0], &ack, sizeof ack, kAckTimeoutMs) == sizeof ack) {
    REQUIRE(ack == static_cast<std::uint32_t>(last_acked + 1));
    last_acked = ack;
  }
  ::close(fds[0]);

  auto store = Store::Open(dir.path());
  REQUIRE_OK(store);
  auto& s = *store.value();
  auto quarantine = s.ListQuarantine("t");
  REQUIRE_OK(quarantine);
  std::set<std::string> quarantined;
  for (const auto& [key, entry] : quarantine.value()) quarantined.insert(key);

  // Batches are committed in order by one writer, so the applied ones form a
  // prefix [0, applied); everything acknowledged is inside it.
  std::int64_t applied = 0;
  bool gap = false;
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(last_acked) + 100; ++i) {
    std::vector<std::string> keys;
    for (int j = 0; j < kLedgerPerBatch; ++j) keys.push_back(LedgerKey(i, j));
    auto ledger = s.GetLedgerMany("t", keys);
    REQUIRE_OK(ledger);
    auto directory = s.GetDirectory("t", "d" + std::to_string(i) + "@x");
    REQUIRE_OK(directory);
    int present = 0;
    for (const auto& e : ledger.value()) present += e.has_value() ? 1 : 0;
    present += quarantined.count("q" + std::to_string(i)) ? 1 : 0;
    present += directory.value().has_value() ? 1 : 0;
    INFO("batch " << i << " last acknowledged " << last_acked);
    REQUIRE((present == 0 || present == kLedgerPerBatch + 2));
    if (present == 0) {
      gap = true;
      continue;
    }
    REQUIRE_FALSE(gap);
    applied = i + 1;
  }
  CHECK(applied > last_acked);
  CHECK(quarantined.size() == static_cast<std::size_t>(applied));
  auto count = s.CountLedger("t");
  REQUIRE_OK(count);
  CHECK(count.value() == static_cast<std::uint64_t>(applied) * kLedgerPerBatch);
  auto cursor = s.GetCursor(StreamId{"t", "u", "mail/inbox"});
  REQUIRE_OK(cursor);
  REQUIRE(cursor.value().has_value());
  CHECK(cursor.value()->position == std::to_string(applied - 1));
}

}  // namespace
}  // namespace crmsync::state

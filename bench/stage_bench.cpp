// Classify + rules, the Task composite body and the ledger commit, each next
// to its floor: a bare domain lookup per participant, a plain fmt write of the
// same fields, a bare RocksDB WriteBatch of the same keys.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <unordered_set>

#include <unistd.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "crmsync/engine/capture_rules.hpp"
#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/task_record.hpp"
#include "crmsync/json/escape.hpp"
#include "crmsync/salesforce/salesforce.hpp"
#include "crmsync/state/store.hpp"
#include "inputs.hpp"

namespace crmsync::bench {
namespace {

constexpr int kBatch = 200;            // one sObject Collections request
constexpr int kLedgerPuts = 1000;      // ledger entries per commit

engine::TenantDirectory Directory() {
  engine::MailboxUser alice{{"id-alice", "alice@acme.example", {"alice@acme.example"}, true}, "005000000000001AAA"};
  engine::MailboxUser carol{{"id-carol", "carol@acme.example", {"carol@acme.example"}, true}, "005000000000002AAA"};
  return engine::TenantDirectory({"acme.example"}, {alice, carol});
}

void classify_rules(benchmark::State& state) {
  const auto messages = Messages(kBatch);
  const auto directory = Directory();
  const engine::MailboxUser& mailbox = directory.users().front();
  auto rules = engine::CaptureRules::Compile("bench", engine::CaptureConfig{}, directory);
  if (!rules.ok()) {
    state.SkipWithError("rules did not compile");
    return;
  }
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    for (const auto& m : messages) {
      auto c = engine::Classify(m, directory, mailbox, **rules, now);
      benchmark::DoNotOptimize(c);
    }
  }
  state.counters["items"] = kBatch;
}
BENCHMARK(classify_rules);

// The least classify can do: lower-case every participant, look its domain
// up among the org's, keep the external ones, and copy the Message-ID key.
void classify_rules_floor(benchmark::State& state) {
  const auto messages = Messages(kBatch);
  const std::unordered_set<std::string> domains = {"acme.example"};
  std::string lower;
  for (auto _ : state) {
    for (const auto& m : messages) {
      std::vector<std::string> external;
      auto visit = [&](const Participant& p) {
        lower.assign(p.address);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
        const auto at = lower.find('@');
        if (at != std::string::npos && !domains.contains(lower.substr(at + 1))) external.push_back(lower);
      };
      visit(m.from);
      for (const auto& p : m.to) visit(p);
      for (const auto& p : m.cc) visit(p);
      for (const auto& p : m.bcc) visit(p);
      std::string key = m.internet_message_id;
      benchmark::DoNotOptimize(key);
      benchmark::DoNotOptimize(external);
    }
  }
  state.counters["items"] = kBatch;
}
BENCHMARK(classify_rules_floor);

void composite_body_build(benchmark::State& state) {
  const auto messages = Messages(kBatch);
  std::vector<salesforce::UpsertRecord> records;
  records.reserve(kBatch);
  for (auto _ : state) {
    records.clear();
    for (int i = 0; i < kBatch; ++i) {
      records.push_back(engine::BuildTaskRecord(messages[static_cast<std::size_t>(i)].internet_message_id,
                                                messages[static_cast<std::size_t>(i)], "003000000000001AAA",
                                                "005000000000001AAA"));
    }
    std::string body = salesforce::BuildUpsertBody(engine::kTaskSobject, engine::kKeyField, records);
    benchmark::DoNotOptimize(body);
  }
  state.counters["items"] = kBatch;
}
BENCHMARK(composite_body_build);

void composite_body_build_floor(benchmark::State& state) {
  const auto messages = Messages(kBatch);
  // One buffer for every iteration, as a writer that reuses its request body would: a fresh
  // 250 KB string per batch costs page faults and regrowth copies that are not the writing.
  std::string body;
  for (auto _ : state) {
    body.assign("{\"allOrNone\":false,\"records\":[");
    for (int i = 0; i < kBatch; ++i) {
      const Message& m = messages[static_cast<std::size_t>(i)];
      body += i == 0 ? "{" : ",{";
      body += "\"attributes\":{\"type\":\"Task\"},\"Crmsync_Key__c\":";
      json::AppendJsonString(body, m.internet_message_id);
      body += ",\"Subject\":";
      json::AppendJsonString(body, m.subject);
      body += ",\"Description\":";
      json::AppendJsonString(body, m.body_text);
      fmt::format_to(std::back_inserter(body),
                     ",\"ActivityDate\":\"{}\",\"WhoId\":\"{}\",\"OwnerId\":\"{}\",\"Status\":\"Completed\","
                     "\"TaskSubtype\":\"Email\"}}",
                     std::string_view(m.sent_at).substr(0, 10), "003000000000001AAA", "005000000000001AAA");
    }
    body += "]}";
    benchmark::DoNotOptimize(body);
  }
  state.counters["items"] = kBatch;
}
BENCHMARK(composite_body_build_floor);

std::string ScratchDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("crmsync-bench-{}-{}", name, ::getpid());
  std::filesystem::remove_all(dir);
  return dir.string();
}

void ledger_commit(benchmark::State& state) {
  const std::string dir = ScratchDir("ledger");
  auto store = state::Store::Open(dir);
  if (!store.ok()) {
    state.SkipWithError("store did not open");
    return;
  }
  std::int64_t next = 0;
  for (auto _ : state) {
    state::CheckpointBatch batch;
    batch.ledger.reserve(kLedgerPuts);
    for (int i = 0; i < kLedgerPuts; ++i, ++next) {
      batch.ledger.emplace_back("tenant-1", fmt::format("<caf={:010}.f00d@mail.fabrikam.example>", next),
                                state::LedgerEntry{"00T000000000001AAA", "Task", "id-alice", 1714557600000});
    }
    batch.cursors.push_back({state::StreamId{"tenant-1", "id-alice", "mail/inbox"},
                             state::Cursor{"https://graph.microsoft.com/v1.0/delta?$deltatoken=abc", 1}});
    if (!(*store)->Commit(batch).ok()) {
      state.SkipWithError("commit failed");
      break;
    }
  }
  state.counters["items"] = kLedgerPuts;
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(ledger_commit);

void ledger_commit_floor(benchmark::State& state) {
  const std::string dir = ScratchDir("rocks");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) {
    state.SkipWithError("rocksdb did not open");
    return;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::int64_t next = 0;
  const std::string value = "00T000000000001AAA\x1fTask\x1fid-alice\x1f" "1714557600000";
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < kLedgerPuts; ++i, ++next) {
      batch.Put(fmt::format("tenant-1\x1f<caf={:010}.f00d@mail.fabrikam.example>", next), value);
    }
    batch.Put("tenant-1\x1fid-alice\x1fmail/inbox", "https://graph.microsoft.com/v1.0/delta?$deltatoken=abc");
    if (!db->Write(rocksdb::WriteOptions(), &batch).ok()) {
      state.SkipWithError("write failed");
      break;
    }
  }
  state.counters["items"] = kLedgerPuts;
  db.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(ledger_commit_floor);

}  // namespace
}  // namespace crmsync::bench

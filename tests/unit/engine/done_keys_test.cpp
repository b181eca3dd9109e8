// The batcher's done keys stay bounded: a written key is forgotten once every
// page that could have missed its ledger row reached the coordinator
// (commit_generations.hpp, done_keys.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmsync/engine/batcher.hpp"
#include "crmsync/engine/commit_generations.hpp"
#include "crmsync/engine/done_keys.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

salesforce::UpsertRecord Rec(const std::string& key) {
  salesforce::UpsertRecord r;
  r.external_id = key;
  r.fields.push_back({"Subject", "s"});
  return r;
}

std::vector<salesforce::UpsertOutcome> Outcomes(std::size_t n, const std::string& error_code = "") {
  std::vector<salesforce::UpsertOutcome> out(n);
  for (auto& o : out) {
    o.success = error_code.empty();
    o.error_code = error_code;
    o.id = o.success ? "00T" : "";
  }
  return out;
}

// Writes `key` through the batcher and stamps it as the coordinator does:
// with the commit that will carry its ledger row.
void WriteKey(Batcher& batcher, CommitGenerations& generations, const std::string& key,
              const std::string& error_code = "") {
  REQUIRE(batcher.Add(Rec(key), "u", PageRef{0, 0}) == Batcher::Added::kQueued);
  auto ready = batcher.TakeReady(true);
  REQUIRE(ready.size() == 1);
  batcher.Complete(ready[0].id, Outcomes(1, error_code), generations.Next(), ready[0].records);
}

}  // namespace

TEST_CASE("commit generations: the safe generation is the oldest one an outstanding lookup saw", "[done_keys]") {
  CommitGenerations generations;
  CHECK(generations.Safe() == 0);
  CHECK(generations.Next() == 1);
  generations.Committed();
  generations.Committed();
  CHECK(generations.Safe() == 2);   // no lookup outstanding: every later one sees 2
  LookupTicket early = generations.BeginLookup();
  CHECK(early.generation() == 2);
  generations.Committed();
  LookupTicket late = generations.BeginLookup();
  CHECK(late.generation() == 3);
  CHECK(generations.outstanding() == 2);
  CHECK(generations.Safe() == 2);
  late.Release();
  CHECK(generations.Safe() == 2);
  {
    // Moving a ticket keeps one lookup outstanding, not two.
    LookupTicket moved = std::move(early);
    CHECK_FALSE(early.held());
    CHECK(generations.outstanding() == 1);
    CHECK(generations.Safe() == 2);
  }   // a dropped page releases its lookup
  CHECK(generations.outstanding() == 0);
  CHECK(generations.Safe() == 3);
}

TEST_CASE("commit generations: after a failed commit nothing becomes safe any more", "[done_keys]") {
  CommitGenerations generations;
  generations.Committed();
  CHECK(generations.Safe() == 1);
  generations.CommitFailed();
  CHECK(generations.Safe() == 0);
  generations.Committed();
  CHECK(generations.Safe() == 0);
  CHECK(generations.Next() == 2);
}

TEST_CASE("done keys: written keys are forgotten by stamp, quarantined ones never", "[done_keys]") {
  DoneKeys done;
  done.AddWritten("a", 1);
  done.AddWritten("b", 2);
  done.AddWritten("c", 2);
  done.AddQuarantined("q");
  done.AddWritten("d", 4);
  // Out of order (cannot happen in a run): kept with the later stamp, never forgotten early.
  done.AddWritten("e", 3);
  CHECK(done.size() == 6);
  CHECK(done.ForgetUpTo(0) == 0);
  CHECK(done.ForgetUpTo(1) == 1);
  CHECK_FALSE(done.Contains("a"));
  CHECK(done.Contains("b"));
  CHECK(done.ForgetUpTo(3) == 2);
  CHECK_FALSE(done.Contains("b"));
  CHECK_FALSE(done.Contains("c"));
  CHECK(done.Contains("e"));
  CHECK(done.Contains("d"));
  CHECK(done.ForgetUpTo(std::numeric_limits<std::uint64_t>::max()) == 2);
  CHECK(done.Contains("q"));
  CHECK(done.size() == 1);
  // A quarantined key stays quarantined when it is written again later in the run.
  done.AddWritten("q", 9);
  CHECK(done.ForgetUpTo(9) == 0);
  CHECK(done.Contains("q"));
}

TEST_CASE("a copy whose page looked the ledger up before the key's commit is still done this run",
          "[done_keys]") {
  Batcher batcher;
  CommitGenerations generations;
  generations.Committed();   // an earlier commit (cursors, other keys)
  // Page B's ledger lookup runs before k's ledger row is committed: it misses it.
  LookupTicket page_b = generations.BeginLookup();
  WriteKey(batcher, generations, "k");
  generations.Committed();   // the commit carrying k's ledger row
  // Page C looks up after that commit: it finds the row and never brings k.
  LookupTicket page_c = generations.BeginLookup();
  // Forgetting now would let page B write k a second time.
  CHECK(batcher.ForgetDone(generations.Safe()) == 0);
  CHECK(batcher.done_keys() == 1);
  // Page B reaches the coordinator: its copy of k is done, not queued again.
  page_b.Release();
  CHECK(batcher.Add(Rec("k"), "u2", PageRef{1, 0}) == Batcher::Added::kDoneThisRun);
  CHECK(batcher.queued() == 0);
  // Every outstanding lookup (page C) saw k's commit: k is forgotten.
  CHECK(generations.Safe() == 2);
  CHECK(batcher.ForgetDone(generations.Safe()) == 1);
  CHECK(batcher.done_keys() == 0);
  page_c.Release();
}

TEST_CASE("a key written but not yet committed is kept even with no lookup outstanding", "[done_keys]") {
  Batcher batcher;
  CommitGenerations generations;
  WriteKey(batcher, generations, "k");   // stamped 1; commit 1 not made yet
  CHECK(batcher.ForgetDone(generations.Safe()) == 0);
  // A lookup now cannot see k yet (its row is not committed): k must stay.
  LookupTicket page = generations.BeginLookup();
  generations.Committed();
  CHECK(batcher.ForgetDone(generations.Safe()) == 0);
  page.Release();
  CHECK(batcher.ForgetDone(generations.Safe()) == 1);
}

TEST_CASE("quarantined keys are done for the whole run, and transient failures are not done", "[done_keys]") {
  Batcher batcher;
  CommitGenerations generations;
  WriteKey(batcher, generations, "refused", "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  WriteKey(batcher, generations, "locked", "UNABLE_TO_LOCK_ROW");
  generations.Committed();
  CHECK(batcher.ForgetDone(std::numeric_limits<std::uint64_t>::max()) == 0);
  CHECK(batcher.done_keys() == 1);
  // The ledger has no row for a quarantined key, so only the batcher stops a second write.
  CHECK(batcher.Add(Rec("refused"), "u", PageRef{2, 0}) == Batcher::Added::kDoneThisRun);
  CHECK(batcher.Add(Rec("locked"), "u", PageRef{2, 0}) == Batcher::Added::kQueued);
}

TEST_CASE("done keys stay bounded over many commits while lookups keep up", "[done_keys]") {
  Batcher batcher;
  CommitGenerations generations;
  std::size_t most = 0;
  for (int commit = 0; commit < 500; ++commit) {
    LookupTicket page = generations.BeginLookup();
    for (int i = 0; i < 10; ++i) WriteKey(batcher, generations, fmt::format("k{}-{}", commit, i));
    generations.Committed();
    page.Release();
    batcher.ForgetDone(generations.Safe());
    most = std::max(most, batcher.done_keys());
  }
  CHECK(most <= 10);
  CHECK(batcher.done_keys() == 0);
}

// Commit generations: which checkpoint commits a page's ledger lookup can
// have missed. The coordinator numbers its successful checkpoint commits
// (generation G = commits whose rows readers can see); a page records the G
// it saw right before its ledger lookup, and holds a ticket until it reaches
// the coordinator. A key whose ledger row became visible with commit `s` is
// seen by every page still on its way whose ticket says G >= s: the batcher
// may forget such keys (done_keys.hpp). Thread-safe: tickets are taken by
// the parallel page workers, commits counted by the coordinator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace crmsync::engine {

class CommitGenerations;

// A page's lookup, outstanding until the ticket is released or destroyed.
// A page that never reaches the coordinator adds no record, so releasing its
// ticket when it is dropped is safe.
class LookupTicket {
 public:
  LookupTicket() = default;
  LookupTicket(const LookupTicket&) = delete;
  LookupTicket& operator=(const LookupTicket&) = delete;
  LookupTicket(LookupTicket&& other) noexcept : owner_(other.owner_), generation_(other.generation_) {
    other.owner_ = nullptr;
  }
  LookupTicket& operator=(LookupTicket&& other) noexcept;
  ~LookupTicket() { Release(); }

  void Release();
  bool held() const { return owner_ != nullptr; }
  std::uint64_t generation() const { return generation_; }

 private:
  friend class CommitGenerations;
  LookupTicket(CommitGenerations* owner, std::uint64_t generation) : owner_(owner), generation_(generation) {}

  CommitGenerations* owner_ = nullptr;
  std::uint64_t generation_ = 0;
};

class CommitGenerations {
 public:
  // Page workers: taken right before the ledger lookup, so the lookup sees
  // at least every commit up to the ticket's generation.
  LookupTicket BeginLookup();

  // Coordinator: the commit it is about to make (a key done now becomes
  // visible to readers with it).
  std::uint64_t Next() const;
  // Coordinator, after the store acknowledged a commit.
  void Committed();
  // Coordinator, after a failed commit: its rows are lost, so the keys
  // stamped with it must never be forgotten; nothing is forgotten after it.
  void CommitFailed();

  // Keys stamped at or below this generation are visible to every lookup
  // still to reach the coordinator (and to every later one). 0: none.
  std::uint64_t Safe() const;
  std::size_t outstanding() const;

 private:
  friend class LookupTicket;
  void EndLookup(std::uint64_t generation);

  mutable std::mutex mutex_;
  std::uint64_t committed_ = 0;
  bool failed_ = false;
  std::map<std::uint64_t, std::size_t> outstanding_;   // generation seen -> pages holding it
};

}  // namespace crmsync::engine

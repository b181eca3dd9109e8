#include "crmsync/engine/commit_generations.hpp"

namespace crmsync::engine {

LookupTicket& LookupTicket::operator=(LookupTicket&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    generation_ = other.generation_;
    other.owner_ = nullptr;
  }
  return *this;
}

void LookupTicket::Release() {
  if (owner_ == nullptr) return;
  owner_->EndLookup(generation_);
  owner_ = nullptr;
}

LookupTicket CommitGenerations::BeginLookup() {
  std::lock_guard lock(mutex_);
  ++outstanding_[committed_];
  return LookupTicket(this, committed_);
}

void CommitGenerations::EndLookup(std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  auto it = outstanding_.find(generation);
  if (it == outstanding_.end()) return;   // cannot happen: every ticket was counted
  if (--it->second == 0) outstanding_.erase(it);
}

std::uint64_t CommitGenerations::Next() const {
  std::lock_guard lock(mutex_);
  return committed_ + 1;
}

void CommitGenerations::Committed() {
  std::lock_guard lock(mutex_);
  if (!failed_) ++committed_;
}

void CommitGenerations::CommitFailed() {
  std::lock_guard lock(mutex_);
  failed_ = true;
}

std::uint64_t CommitGenerations::Safe() const {
  std::lock_guard lock(mutex_);
  if (failed_) return 0;
  // Tickets hold generations <= committed_; a lookup not begun yet will see committed_.
  return outstanding_.empty() ? committed_ : outstanding_.begin()->first;
}

std::size_t CommitGenerations::outstanding() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [generation, count] : outstanding_) n += count;
  return n;
}

}  // namespace crmsync::engine

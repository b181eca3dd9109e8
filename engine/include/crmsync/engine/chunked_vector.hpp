// A sequence that only grows, stored in fixed-size chunks: an element never
// moves once added, and growing copies nothing. A std::vector doubles
// instead: up to half its capacity unused, and while it regrows the old and
// the new arrays are both alive (three times the elements' bytes for a
// moment). For the large append-only tables that grow with the organization
// (the CRM resolver's addresses: tens of thousands of 192-byte entries),
// that regrowth was the run's high-water mark. Not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace crmsync::engine {

template <class T, std::size_t kChunkSize = 512>
class ChunkedVector {
  static_assert(kChunkSize > 0 && (kChunkSize & (kChunkSize - 1)) == 0, "a power of two: indexing shifts and masks");

 public:
  // A value-initialized element at the end.
  T& emplace_back() {
    if (size_ % kChunkSize == 0) chunks_.push_back(std::make_unique<T[]>(kChunkSize));
    return chunks_.back()[size_++ % kChunkSize];
  }
  T& operator[](std::size_t i) { return chunks_[i / kChunkSize][i % kChunkSize]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunkSize][i % kChunkSize]; }
  std::size_t size() const { return size_; }
  // Bytes of element storage held (whole chunks).
  std::size_t capacity_bytes() const { return chunks_.size() * kChunkSize * sizeof(T); }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace crmsync::engine

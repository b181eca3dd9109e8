// The exactly-once rule for cursors: a stream's cursor advances past a page
// only when every message of that page is terminal (written, skipped or
// quarantined), and only in page order. Single-threaded (owned by the
// coordinator node).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace crmsync::engine {

struct PageRef {
  std::size_t stream = 0;
  std::uint64_t seq = 0;   // 0, 1, 2, ... per stream per run
  bool operator==(const PageRef&) const = default;
};

class PageTracker {
 public:
  // A page reached the coordinator with `open` messages not yet terminal;
  // `cursor_after` is where the stream resumes once this page is done.
  void AddPage(PageRef page, std::string cursor_after, std::size_t open);
  // One message of `page` became terminal.
  void MessageTerminal(PageRef page);
  // Something in `page` cannot become terminal in this run (a transient
  // failure): the stream's cursor stays before it.
  void Block(PageRef page);
  // Cursors that advanced since the last call, one per stream (the furthest).
  std::vector<std::pair<std::size_t, std::string>> TakeAdvanced();
  // Pages added but not yet committed.
  std::size_t open_pages() const;
  // Streams with pages not yet committed: a stream whose pages all
  // committed holds no state but its next page number.
  std::size_t streams_with_open_pages() const { return streams_.size(); }

 private:
  struct PageState {
    std::string cursor_after;
    std::size_t open = 0;
    bool blocked = false;
  };
  using Pages = std::map<std::uint64_t, PageState>;   // by seq
  void Advance(std::size_t stream, Pages& pages);

  // Only streams with pages waiting; the rest is forgotten as soon as its
  // pages commit, so the tracker does not grow with the streams of a run.
  std::unordered_map<std::size_t, Pages> streams_;
  std::vector<std::uint64_t> next_seq_;   // by stream: the page its cursor waits for
  std::map<std::size_t, std::string> advanced_;
};

}  // namespace crmsync::engine

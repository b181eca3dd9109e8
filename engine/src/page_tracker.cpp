#include "crmsync/engine/page_tracker.hpp"

namespace crmsync::engine {

void PageTracker::AddPage(PageRef page, std::string cursor_after, std::size_t open) {
  auto& stream = streams_[page.stream];
  stream.pages[page.seq] = PageState{std::move(cursor_after), open, false};
  Advance(page.stream);
}

void PageTracker::MessageTerminal(PageRef page) {
  auto stream_it = streams_.find(page.stream);
  if (stream_it == streams_.end()) return;
  auto page_it = stream_it->second.pages.find(page.seq);
  if (page_it == stream_it->second.pages.end() || page_it->second.open == 0) return;
  --page_it->second.open;
  Advance(page.stream);
}

void PageTracker::Block(PageRef page) {
  auto stream_it = streams_.find(page.stream);
  if (stream_it == streams_.end()) return;
  auto page_it = stream_it->second.pages.find(page.seq);
  if (page_it != stream_it->second.pages.end()) page_it->second.blocked = true;
}

void PageTracker::Advance(std::size_t stream_index) {
  auto& stream = streams_[stream_index];
  while (!stream.pages.empty()) {
    auto front = stream.pages.begin();
    if (front->first != stream.next_seq || front->second.open > 0 || front->second.blocked) break;
    advanced_[stream_index] = std::move(front->second.cursor_after);
    stream.pages.erase(front);
    ++stream.next_seq;
  }
}

std::vector<std::pair<std::size_t, std::string>> PageTracker::TakeAdvanced() {
  std::vector<std::pair<std::size_t, std::string>> out(advanced_.begin(), advanced_.end());
  advanced_.clear();
  return out;
}

std::size_t PageTracker::open_pages() const {
  std::size_t count = 0;
  for (const auto& [index, stream] : streams_) count += stream.pages.size();
  return count;
}

}  // namespace crmsync::engine

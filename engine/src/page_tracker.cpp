#include "crmsync/engine/page_tracker.hpp"

namespace crmsync::engine {

void PageTracker::AddPage(PageRef page, std::string cursor_after, std::size_t open) {
  if (page.stream >= next_seq_.size()) next_seq_.resize(page.stream + 1, 0);
  auto& pages = streams_[page.stream];
  pages[page.seq] = PageState{std::move(cursor_after), open, false};
  Advance(page.stream, pages);
}

void PageTracker::MessageTerminal(PageRef page) {
  auto stream_it = streams_.find(page.stream);
  if (stream_it == streams_.end()) return;
  auto page_it = stream_it->second.find(page.seq);
  if (page_it == stream_it->second.end() || page_it->second.open == 0) return;
  --page_it->second.open;
  Advance(page.stream, stream_it->second);
}

void PageTracker::Block(PageRef page) {
  auto stream_it = streams_.find(page.stream);
  if (stream_it == streams_.end()) return;
  auto page_it = stream_it->second.find(page.seq);
  if (page_it != stream_it->second.end()) page_it->second.blocked = true;
}

void PageTracker::Advance(std::size_t stream, Pages& pages) {
  std::uint64_t& next_seq = next_seq_[stream];
  while (!pages.empty()) {
    auto front = pages.begin();
    if (front->first != next_seq || front->second.open > 0 || front->second.blocked) break;
    advanced_[stream] = std::move(front->second.cursor_after);
    pages.erase(front);
    ++next_seq;
  }
  if (pages.empty()) streams_.erase(stream);   // invalidates `pages`
}

std::vector<std::pair<std::size_t, std::string>> PageTracker::TakeAdvanced() {
  std::vector<std::pair<std::size_t, std::string>> out(advanced_.begin(), advanced_.end());
  advanced_.clear();
  return out;
}

std::size_t PageTracker::open_pages() const {
  std::size_t count = 0;
  for (const auto& [index, pages] : streams_) count += pages.size();
  return count;
}

}  // namespace crmsync::engine

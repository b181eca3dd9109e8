#include "crmsync/ews/mail_source.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include <fmt/format.h>

#include "crmsync/ews/ews.hpp"
#include "crmsync/ews/find_folder.hpp"
#include "cursor.hpp"

namespace crmsync::ews {
namespace {

constexpr std::string_view kStreamPrefix = "mail/";

// RawPage::context, one record a line: the next cursor, "1" when the sync is
// caught up, the folder's display name, then "T <id>" per tombstone and
// "B <id> <id> ..." per GetItem batch, whose responses are framed in
// RawPage::body as "<length>\n<bytes>" in the same order.
struct PageContext {
  std::string next_cursor;
  bool last = false;
  std::string folder_name;
  std::vector<std::string> tombstones;
  std::vector<std::vector<std::string>> batches;
};

std::string EncodeContext(const PageContext& c) {
  std::string out = fmt::format("{}\n{}\n{}\n", c.next_cursor, c.last ? 1 : 0, c.folder_name);
  for (const auto& id : c.tombstones) out += fmt::format("T {}\n", id);
  for (const auto& batch : c.batches) {
    out += 'B';
    for (const auto& id : batch) out += ' ' + id;
    out += '\n';
  }
  return out;
}

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

Result<PageContext> DecodeContext(std::string_view text) {
  std::vector<std::string_view> lines = SplitOn(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() < 3) return Status::Corruption("EWS page context is truncated");
  PageContext c;
  c.next_cursor = lines[0];
  c.last = lines[1] == "1";
  c.folder_name = lines[2];
  for (std::size_t i = 3; i < lines.size(); ++i) {
    std::vector<std::string_view> words = SplitOn(lines[i], ' ');
    if (words[0] == "T" && words.size() == 2) {
      c.tombstones.emplace_back(words[1]);
    } else if (words[0] == "B" && words.size() > 1) {
      c.batches.emplace_back(words.begin() + 1, words.end());
    } else {
      return Status::Corruption(fmt::format("EWS page context line {} is malformed", i + 1));
    }
  }
  return c;
}

// Item ids travel in the context's space-separated lines.
bool IsSafeId(std::string_view id) {
  return !id.empty() && std::none_of(id.begin(), id.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
}

void AppendFrame(std::string& body, std::string_view frame) {
  body += fmt::format("{}\n", frame.size());
  body.append(frame);
}

Result<std::vector<std::string_view>> SplitFrames(std::string_view body) {
  std::vector<std::string_view> out;
  while (!body.empty()) {
    const std::size_t newline = body.find('\n');
    if (newline == std::string_view::npos) return Status::Corruption("EWS page body: frame length without newline");
    std::size_t length = 0;
    auto [end, ec] = std::from_chars(body.data(), body.data() + newline, length);
    if (ec != std::errc() || end != body.data() + newline || length > body.size() - newline - 1) {
      return Status::Corruption("EWS page body: bad frame length");
    }
    out.push_back(body.substr(newline + 1, length));
    body.remove_prefix(newline + 1 + length);
  }
  return out;
}

}  // namespace

struct EwsMailSource::Fetch {
  std::string smtp;
  std::string folder;
  std::string folder_name;   // Message::folder of the page's messages
  std::function<void(Result<RawPage>)> done;
  SyncFolderItemsResult sync;
  PageContext context;
  std::vector<std::string> ids;   // created / updated items, deduplicated, in change order
  std::string body;
};

EwsMailSource::EwsMailSource(http::Transport& transport, auth::TokenProvider& tokens, EwsMailSourceOptions options)
    : tokens_(tokens), options_(std::move(options)), client_(transport, tokens, options_.client) {}

Result<std::vector<MailUser>> EwsMailSource::ListUsers() {
  if (!options_.list_users) return Status::InvalidArgument("EWS source: no user directory configured");
  return options_.list_users();
}

Result<std::vector<std::string>> EwsMailSource::ListGroupMembers(const std::string& group) {
  if (!options_.list_group_members) return MailSource::ListGroupMembers(group);
  return options_.list_group_members(group);
}

void EwsMailSource::SetCaptureFolders(const std::vector<std::string>& display_names) {
  capture_folders_.Set(display_names);
}

std::string EwsMailSource::CaptureFolderOf(std::string_view stream) const { return capture_folders_.Of(stream); }

std::vector<std::string> EwsMailSource::StreamKinds() const { return capture_folders_.StreamKinds(); }

std::string EwsMailSource::InitialCursor(const MailUserView&, const std::string& stream) const {
  if (!CaptureFolderOf(stream).empty()) return detail::EncodeCursor({std::string(detail::kFindFolder), ""});
  std::string_view folder = stream;
  if (folder.substr(0, kStreamPrefix.size()) == kStreamPrefix) folder.remove_prefix(kStreamPrefix.size());
  return detail::EncodeCursor({std::string(folder), ""});
}

void EwsMailSource::FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor,
                              std::function<void(Result<RawPage>)> done) {
  if (detail::IsWindowCursor(cursor)) {
    FetchWindowPage(user, cursor, std::move(done));
    return;
  }
  auto decoded = detail::DecodeCursor(cursor);
  if (!decoded.ok()) {
    done(decoded.status());
    return;
  }
  std::string capture_folder = CaptureFolderOf(stream);
  if (decoded->folder == detail::kFindFolder) {
    if (capture_folder.empty()) {
      done(Status::Gone(fmt::format("EWS cursor of stream {} looks for a folder no configuration names", stream)));
      return;
    }
    FindCaptureFolder(user, std::move(capture_folder), std::move(done));
    return;
  }
  auto fetch = std::make_shared<Fetch>();
  fetch->smtp = user.primary;
  fetch->folder = decoded->folder;
  fetch->folder_name = capture_folder.empty() ? std::string(detail::FolderDisplayName(decoded->folder)) : capture_folder;
  fetch->done = std::move(done);
  std::string envelope =
      BuildSyncFolderItems(fetch->smtp, decoded->folder, decoded->sync_state, options_.page_size);
  client_.Post(
      fetch->smtp, std::move(envelope), "ews.sync",
      [fetch](std::string&& body) -> Status {
        auto sync = ParseSyncFolderItemsResponse(body);
        if (!sync.ok()) return sync.status();
        fetch->sync = std::move(sync.value());
        return Status::Ok();
      },
      [this, fetch](Status status) {
        if (!status.ok()) {
          fetch->done(std::move(status));
          return;
        }
        pages_.fetch_add(1, std::memory_order_relaxed);
        PageContext& c = fetch->context;
        c.next_cursor = detail::EncodeCursor({fetch->folder, fetch->sync.sync_state});
        c.last = fetch->sync.includes_last_item;
        c.folder_name = fetch->folder_name;
        std::unordered_set<std::string> seen;
        for (const SyncChange& change : fetch->sync.changes) {
          if (change.kind == ChangeKind::kReadFlagChange) continue;
          if (!IsSafeId(change.item_id)) {
            fetch->done(Status::Corruption("EWS SyncFolderItems response: an ItemId holds blanks or controls"));
            return;
          }
          if (change.kind == ChangeKind::kDelete) {
            c.tombstones.push_back(change.item_id);
          } else if (seen.insert(change.item_id).second) {
            fetch->ids.push_back(change.item_id);
          }
        }
        BatchIds(*fetch);
        FetchDetails(fetch, 0);
      });
}

std::string EwsMailSource::WindowCursor(const MailUserView&, const std::string& stream, std::int64_t since_unix,
                                        std::int64_t until_unix) const {
  // Backfills read Inbox and Sent Items; a capture folder's stream has none.
  if (since_unix >= until_unix || !CaptureFolderOf(stream).empty()) return {};
  std::string_view folder = stream;
  if (folder.substr(0, kStreamPrefix.size()) == kStreamPrefix) folder.remove_prefix(kStreamPrefix.size());
  return detail::EncodeWindowCursor({std::string(folder), since_unix, until_unix, 0});
}

// One FindItem page of a backfill window, then GetItem for its items, as
// for a SyncFolderItems page. The next cursor is the window from the
// offset EWS returned; the last page leaves none (a window has no increments).
void EwsMailSource::FetchWindowPage(const MailUserView& user, const std::string& cursor,
                                    std::function<void(Result<RawPage>)> done) {
  auto window = detail::DecodeWindowCursor(cursor);
  if (!window.ok()) {
    done(window.status());
    return;
  }
  auto fetch = std::make_shared<Fetch>();
  fetch->smtp = user.primary;
  fetch->folder = window->folder;
  fetch->done = std::move(done);
  auto found = std::make_shared<FindItemResult>();
  std::string envelope = BuildFindItemWindow(fetch->smtp, window->folder, window->since, window->until,
                                             window->offset, options_.page_size);
  client_.Post(
      fetch->smtp, std::move(envelope), "ews.finditem",
      [found](std::string&& body) -> Status {
        auto page = ParseFindItemResponse(body);
        if (!page.ok()) return page.status();
        *found = std::move(page.value());
        return Status::Ok();
      },
      [this, fetch, found, window = window.value()](Status status) mutable {
        if (!status.ok()) {
          fetch->done(std::move(status));
          return;
        }
        if (!found->includes_last_item && found->next_offset <= window.offset) {
          fetch->done(Status::Corruption(fmt::format(
              "EWS FindItem response: IndexedPagingOffset {} does not advance past offset {} before the last item",
              found->next_offset, window.offset)));
          return;
        }
        pages_.fetch_add(1, std::memory_order_relaxed);
        PageContext& c = fetch->context;
        c.last = found->includes_last_item;
        window.offset = found->next_offset;
        if (!c.last) c.next_cursor = detail::EncodeWindowCursor(window);
        c.folder_name = detail::FolderDisplayName(fetch->folder);
        std::unordered_set<std::string> seen;
        for (std::string& id : found->item_ids) {
          if (!IsSafeId(id)) {
            fetch->done(Status::Corruption("EWS FindItem response: an ItemId holds blanks or controls"));
            return;
          }
          if (seen.insert(id).second) fetch->ids.push_back(std::move(id));
        }
        BatchIds(*fetch);
        FetchDetails(fetch, 0);
      });
}

void EwsMailSource::BatchIds(Fetch& fetch) {
  for (std::size_t at = 0; at < fetch.ids.size(); at += kGetItemBatch) {
    const auto end = fetch.ids.begin() + static_cast<std::ptrdiff_t>(std::min(fetch.ids.size(), at + kGetItemBatch));
    fetch.context.batches.emplace_back(fetch.ids.begin() + static_cast<std::ptrdiff_t>(at), end);
  }
}

// One FindFolder call: an empty page whose cursor leads to the folder, or,
// when the mailbox has none of that name, a last page that looks again next run.
void EwsMailSource::FindCaptureFolder(const MailUserView& user, std::string name,
                                      std::function<void(Result<RawPage>)> done) {
  auto found = std::make_shared<PageContext>();
  found->folder_name = std::move(name);
  auto finish = std::make_shared<std::function<void(Result<RawPage>)>>(std::move(done));
  client_.Post(
      std::string(user.primary), BuildFindFolder(user.primary), "ews.findfolder",
      [found](std::string&& body) -> Status {
        auto folders = ParseFindFolderResponse(body);
        if (!folders.ok()) return folders.status();
        if (const EwsFolder* folder = FindEwsFolderByName(folders.value(), found->folder_name)) {
          if (!IsSafeId(folder->id)) return Status::Corruption("EWS FindFolder response: a FolderId holds blanks or controls");
          found->next_cursor = detail::EncodeCursor({std::string(detail::kFolderIdPrefix) + folder->id, ""});
        } else {
          found->last = true;
          found->next_cursor = detail::EncodeCursor({std::string(detail::kFindFolder), ""});
        }
        return Status::Ok();
      },
      [found, finish](Status status) {
        if (!status.ok()) {
          (*finish)(std::move(status));
          return;
        }
        (*finish)(RawPage{"", EncodeContext(*found)});
      });
}

void EwsMailSource::FetchDetails(std::shared_ptr<Fetch> fetch, std::size_t batch) {
  if (batch == fetch->context.batches.size()) {
    fetch->done(RawPage{std::move(fetch->body), EncodeContext(fetch->context)});
    return;
  }
  std::string envelope = BuildGetItem(fetch->smtp, fetch->context.batches[batch], options_.with_headers);
  client_.Post(
      fetch->smtp, std::move(envelope), "ews.getitem",
      [fetch](std::string&& body) -> Status {
        AppendFrame(fetch->body, body);
        return Status::Ok();
      },
      [this, fetch, batch](Status status) {
        if (!status.ok()) {
          fetch->done(std::move(status));
          return;
        }
        FetchDetails(fetch, batch + 1);
      });
}

Result<MailPage> EwsMailSource::ParsePage(RawPage&& raw) const {
  auto context = DecodeContext(raw.context);
  if (!context.ok()) return context.status();
  auto frames = SplitFrames(raw.body);
  if (!frames.ok()) return frames.status();
  if (frames->size() != context->batches.size()) {
    return Status::Corruption(fmt::format("EWS page: {} GetItem responses for {} batches", frames->size(),
                                          context->batches.size()));
  }
  MailPage page;
  page.next_cursor = std::move(context->next_cursor);
  page.last = context->last;
  for (std::size_t b = 0; b < frames->size(); ++b) {
    auto items = ParseGetItemResponse((*frames)[b], context->batches[b]);
    if (!items.ok()) return items.status();
    for (FetchedItem& item : items.value()) {
      if (!item.found) {
        // Deleted between the sync and GetItem: nothing left to capture.
        Message gone;
        gone.source_id = std::move(item.requested_id);
        gone.removed = true;
        page.messages.push_back(std::move(gone));
        continue;
      }
      item.message.folder = context->folder_name;
      page.messages.push_back(std::move(item.message));
    }
  }
  for (std::string& id : context->tombstones) {
    Message gone;
    gone.source_id = std::move(id);
    gone.removed = true;
    page.messages.push_back(std::move(gone));
  }
  return page;
}

MailSourceStats EwsMailSource::Stats() const {
  MailSourceStats stats;
  stats.pages = pages_.load(std::memory_order_relaxed);
  stats.requests = client_.stats().requests;
  stats.token_grants = tokens_.grants();
  return stats;
}

}  // namespace crmsync::ews

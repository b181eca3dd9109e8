// GmailMailSource: cursors, list/history pages, metadata through batch
// requests, and the Directory users with their send-as aliases.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <future>
#include <mutex>
#include <unordered_map>

#include "crmsync/gmail/batch.hpp"
#include "crmsync/gmail/gmail.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "crmsync/http/retry.hpp"
#include "gmail_calendar_source.hpp"
#include "gmail_caller.hpp"

namespace crmsync::gmail {
namespace {

using detail::CallSpec;
using detail::GmailCaller;

constexpr std::string_view kListPrefix = "list:";
constexpr std::string_view kHistoryPrefix = "history:";
constexpr std::string_view kWindowPrefix = "window:";
constexpr int kMaxDirectoryPages = 100000;

struct Cursor {
  bool window = false;          // a backfill window: since/until, then page_token
  std::int64_t since = 0, until = 0;
  bool history = false;
  std::string history_id;
  std::string page_token;
};

// "list:<hid>:<token>" or "history:<hid>[:<token>]"; the token is the rest.
std::optional<std::int64_t> ParseEpoch(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

// "window:<since>:<until>:<token>"
std::optional<Cursor> ParseWindowCursor(std::string_view text) {
  Cursor cursor;
  cursor.window = true;
  const std::size_t first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto since = ParseEpoch(text.substr(0, first));
  const auto until = ParseEpoch(text.substr(first + 1, second - first - 1));
  if (!since || !until || *since >= *until) return std::nullopt;
  cursor.since = *since;
  cursor.until = *until;
  cursor.page_token.assign(text.substr(second + 1));
  return cursor;
}

std::optional<Cursor> ParseCursor(std::string_view text) {
  if (text.substr(0, kWindowPrefix.size()) == kWindowPrefix) return ParseWindowCursor(text.substr(kWindowPrefix.size()));
  Cursor cursor;
  if (text.substr(0, kListPrefix.size()) == kListPrefix) {
    text.remove_prefix(kListPrefix.size());
  } else if (text.substr(0, kHistoryPrefix.size()) == kHistoryPrefix) {
    text.remove_prefix(kHistoryPrefix.size());
    cursor.history = true;
  } else {
    return std::nullopt;
  }
  const std::size_t colon = text.find(':');
  cursor.history_id.assign(text.substr(0, colon));
  if (colon != std::string_view::npos) cursor.page_token.assign(text.substr(colon + 1));
  if (cursor.history && cursor.history_id.empty()) return std::nullopt;
  if (!cursor.history && cursor.history_id.empty() && !cursor.page_token.empty()) return std::nullopt;
  return cursor;
}

std::string ListCursor(std::string_view history_id, std::string_view token) {
  return fmt::format("{}{}:{}", kListPrefix, history_id, token);
}
std::string WindowCursorText(std::int64_t since, std::int64_t until, std::string_view token) {
  return fmt::format("{}{}:{}:{}", kWindowPrefix, since, until, token);
}
std::string HistoryCursor(std::string_view history_id, std::string_view token = {}) {
  return token.empty() ? fmt::format("{}{}", kHistoryPrefix, history_id)
                       : fmt::format("{}{}:{}", kHistoryPrefix, history_id, token);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

void AddAlias(std::vector<std::string>& aliases, std::string_view address) {
  if (address.find('@') == std::string_view::npos) return;
  std::string lower = Lower(address);
  if (std::find(aliases.begin(), aliases.end(), lower) == aliases.end()) aliases.push_back(std::move(lower));
}

// RawPage framing: context "<0|1>\n<next cursor>", body a sequence of
// "<length>\n<message JSON>\n".
void AppendFrame(std::string& body, std::string_view json) {
  body += fmt::format("{}\n", json.size());
  body.append(json);
  body += '\n';
}

class GmailMailSource final : public MailSource {
 public:
  GmailMailSource(http::Transport& transport, GmailSourceOptions options)
      : options_(std::move(options)), caller_(transport, options_),
        calendar_(detail::MakeGoogleCalendarSource(caller_, options_.api_url)) {
    options_.page_size = std::clamp(options_.page_size, 1, kMaxListPageSize);
    options_.batch_size = std::clamp(options_.batch_size, 1, static_cast<int>(kMaxBatchParts));
  }

  Result<std::vector<MailUser>> ListUsers() override;
  Result<std::vector<std::string>> ListGroupMembers(const std::string& group) override;
  std::vector<std::string> StreamKinds() const override { return {"mail"}; }
  std::string InitialCursor(const MailUserView&, const std::string&) const override { return ListCursor("", ""); }
  std::string WindowCursor(const MailUserView&, const std::string&, std::int64_t since_unix,
                           std::int64_t until_unix) const override {
    return since_unix < until_unix ? WindowCursorText(since_unix, until_unix, "") : std::string();
  }
  void FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor,
                 std::function<void(Result<RawPage>)> done) override;
  Result<MailPage> ParsePage(RawPage&& raw) const override;
  MailSourceStats Stats() const override {
    MailSourceStats stats;
    stats.pages = pages_.load(std::memory_order_relaxed);
    stats.requests = caller_.requests();
    stats.token_grants = caller_.token_grants();
    return stats;
  }
  CalendarSource* Calendar() override { return calendar_.get(); }

 private:
  using Done = std::function<void(Result<RawPage>)>;
  struct Metadata;  // one page's metadata fetch across its batches

  Result<http::Response> CallBlocking(CallSpec spec);
  void FetchList(std::string user, std::string history_id, std::string token, Done done);
  void FetchHistory(std::string user, Cursor cursor, Done done);
  void FetchWindow(std::string user, Cursor cursor, Done done);
  void FetchMetadata(std::string user, std::vector<std::string> ids, std::string next_cursor, bool last, Done done);
  void SendBatch(std::shared_ptr<Metadata> job, std::chrono::milliseconds delay);
  void FetchPageOfMailbox(std::string email, Cursor cursor, Done done);
  std::shared_ptr<const LabelNames> LabelsOf(const std::string& user) const;

  GmailSourceOptions options_;
  // resolve_label_names: each mailbox's label names, read once per run.
  mutable std::mutex labels_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const LabelNames>> labels_;
  mutable GmailCaller caller_;
  std::unique_ptr<CalendarSource> calendar_;   // shares caller_
  std::atomic<std::uint64_t> pages_{0};
  std::atomic<std::uint64_t> batch_counter_{0};
};

Result<http::Response> GmailMailSource::CallBlocking(CallSpec spec) {
  auto promise = std::make_shared<std::promise<Result<http::Response>>>();
  auto future = promise->get_future();
  caller_.Call(std::move(spec), [promise](Result<http::Response> r) { promise->set_value(std::move(r)); });
  return future.get();
}

Result<std::vector<MailUser>> GmailMailSource::ListUsers() {
  std::vector<DirectoryUser> directory;
  std::string token;
  for (int page_count = 0;; ++page_count) {
    if (page_count == kMaxDirectoryPages) return Status::Corruption("Directory users: too many pages");
    CallSpec spec;
    spec.subject = options_.admin_email;
    spec.directory = true;
    spec.url = DirectoryUsersUrl(options_.directory_url, options_.customer, token);
    spec.kind = "directory.users";
    Result<http::Response> response = CallBlocking(std::move(spec));
    if (!response.ok()) return response.status();
    Result<DirectoryUsersPage> page = ParseDirectoryUsersPage(response->body);
    if (!page.ok()) return page.status();
    for (DirectoryUser& user : page->users) directory.push_back(std::move(user));
    if (page->next_page_token.empty()) break;
    if (page->next_page_token == token) return Status::Corruption("Directory users: nextPageToken repeats");
    token = std::move(page->next_page_token);
  }
  // Send-as lists of every active user, concurrently; a user whose list cannot
  // be read keeps its Directory addresses (its mailbox errors surface when
  // its stream is fetched).
  std::vector<std::future<Result<http::Response>>> send_as(directory.size());
  for (std::size_t i = 0; i < directory.size(); ++i) {
    if (directory[i].suspended) continue;
    auto promise = std::make_shared<std::promise<Result<http::Response>>>();
    send_as[i] = promise->get_future();
    CallSpec spec;
    spec.subject = directory[i].primary_email;
    spec.units = kUnitsSendAsList;
    spec.url = SendAsUrl(options_.api_url, directory[i].primary_email);
    spec.kind = "gmail.sendas";
    caller_.Call(std::move(spec), [promise](Result<http::Response> r) { promise->set_value(std::move(r)); });
  }
  std::vector<MailUser> users;
  users.reserve(directory.size());
  for (std::size_t i = 0; i < directory.size(); ++i) {
    DirectoryUser& d = directory[i];
    MailUser user;
    user.id = d.id;
    user.primary = Lower(d.primary_email);
    user.enabled = !d.suspended;
    AddAlias(user.aliases, d.primary_email);
    for (const std::string& alias : d.aliases) AddAlias(user.aliases, alias);
    if (send_as[i].valid()) {
      Result<http::Response> response = send_as[i].get();
      if (response.ok()) {
        Result<std::vector<std::string>> addresses = ParseSendAsList(response->body);
        if (addresses.ok()) {
          for (const std::string& address : *addresses) AddAlias(user.aliases, address);
        }
      }
    }
    users.push_back(std::move(user));
  }
  return users;
}

Result<std::vector<std::string>> GmailMailSource::ListGroupMembers(const std::string& group) {
  if (group.empty()) return Status::InvalidArgument("Directory group: empty group key");
  std::vector<std::string> ids;
  std::string token;
  for (int page_count = 0;; ++page_count) {
    if (page_count == kMaxDirectoryPages) return Status::Corruption("Directory group members: too many pages");
    CallSpec spec;
    spec.subject = options_.admin_email;
    spec.directory = true;
    spec.group_members = true;
    spec.url = DirectoryGroupMembersUrl(options_.directory_url, group, token);
    spec.kind = "directory.members";
    Result<http::Response> response = CallBlocking(std::move(spec));
    if (!response.ok()) {
      if (response.status().code() == StatusCode::kNotFound) {
        return Status::NotFound(fmt::format("Directory: group {} not found: {}", group, response.status().message()));
      }
      return response.status();
    }
    Result<DirectoryMembersPage> page = ParseDirectoryMembersPage(response->body);
    if (!page.ok()) return page.status();
    // Derived membership lists the nested groups' users as USER members
    // too; the groups themselves are not mailboxes.
    for (DirectoryMember& member : page->members) {
      if (member.type == "USER" && !member.id.empty()) ids.push_back(std::move(member.id));
    }
    if (page->next_page_token.empty()) break;
    if (page->next_page_token == token) return Status::Corruption("Directory group members: nextPageToken repeats");
    token = std::move(page->next_page_token);
  }
  return ids;
}

void GmailMailSource::FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor_text,
                                Done done) {
  if (stream != "mail") {
    done(Status::InvalidArgument(fmt::format("Gmail: unknown stream '{}'", stream)));
    return;
  }
  // The view is lent for this call only: the callbacks keep their own copy.
  std::string email(user.primary);
  std::optional<Cursor> cursor = ParseCursor(cursor_text);
  if (!cursor) {
    done(Status::InvalidArgument(fmt::format("Gmail: malformed cursor for {}", email)));
    return;
  }
  if (options_.resolve_label_names && LabelsOf(email) == nullptr) {
    CallSpec spec;
    spec.subject = email;
    spec.units = kUnitsLabelsList;
    spec.url = LabelsUrl(options_.api_url, email);
    spec.kind = "gmail.labels";
    caller_.Call(std::move(spec), [this, email, cursor = std::move(*cursor), done = std::move(done)](
                                      Result<http::Response> response) mutable {
      if (!response.ok()) {
        done(response.status());
        return;
      }
      Result<LabelNames> names = ParseLabelsList(response->body);
      if (!names.ok()) {
        done(names.status());
        return;
      }
      {
        std::lock_guard lock(labels_mutex_);
        labels_[email] = std::make_shared<const LabelNames>(std::move(names.value()));
      }
      FetchPageOfMailbox(std::move(email), std::move(cursor), std::move(done));
    });
    return;
  }
  FetchPageOfMailbox(std::move(email), std::move(*cursor), std::move(done));
}

std::shared_ptr<const LabelNames> GmailMailSource::LabelsOf(const std::string& user) const {
  std::lock_guard lock(labels_mutex_);
  const auto it = labels_.find(user);
  return it == labels_.end() ? nullptr : it->second;
}

void GmailMailSource::FetchPageOfMailbox(std::string email, Cursor cursor, Done done) {
  if (cursor.window) {
    FetchWindow(std::move(email), std::move(cursor), std::move(done));
    return;
  }
  if (cursor.history) {
    FetchHistory(std::move(email), std::move(cursor), std::move(done));
    return;
  }
  if (!cursor.history_id.empty()) {
    FetchList(std::move(email), std::move(cursor.history_id), std::move(cursor.page_token), std::move(done));
    return;
  }
  // Start of the window: the historyId comes first, so that mail arriving
  // while the window is listed is picked up by history afterwards.
  CallSpec spec;
  spec.subject = email;
  spec.units = kUnitsGetProfile;
  spec.url = ProfileUrl(options_.api_url, email);
  spec.kind = "gmail.profile";
  caller_.Call(std::move(spec), [this, email, done = std::move(done)](
                                    Result<http::Response> response) mutable {
    if (!response.ok()) {
      done(response.status());
      return;
    }
    Result<std::string> history_id = ParseProfileHistoryId(response->body);
    if (!history_id.ok()) {
      done(history_id.status());
      return;
    }
    FetchList(std::move(email), std::move(history_id.value()), "", std::move(done));
  });
}

void GmailMailSource::FetchList(std::string user, std::string history_id, std::string token, Done done) {
  CallSpec spec;
  spec.subject = user;
  spec.units = kUnitsMessagesList;
  spec.url = MessagesListUrl(options_.api_url, user, options_.since_date, options_.page_size, token);
  spec.kind = "gmail.list";
  caller_.Call(std::move(spec), [this, user, history_id = std::move(history_id), done = std::move(done)](
                                    Result<http::Response> response) mutable {
    if (!response.ok()) {
      done(response.status());
      return;
    }
    pages_.fetch_add(1, std::memory_order_relaxed);
    Result<ListPage> page = ParseListPage(response->body);
    if (!page.ok()) {
      done(page.status());
      return;
    }
    const bool last = page->next_page_token.empty();
    std::string next = last ? HistoryCursor(history_id) : ListCursor(history_id, page->next_page_token);
    FetchMetadata(std::move(user), std::move(page->ids), std::move(next), last, std::move(done));
  });
}

void GmailMailSource::FetchWindow(std::string user, Cursor cursor, Done done) {
  CallSpec spec;
  spec.subject = user;
  spec.units = kUnitsMessagesList;
  spec.url = MessagesWindowUrl(options_.api_url, user, cursor.since, cursor.until, options_.page_size,
                               cursor.page_token);
  spec.kind = "gmail.list";
  caller_.Call(std::move(spec), [this, user, since = cursor.since, until = cursor.until, done = std::move(done)](
                                    Result<http::Response> response) mutable {
    if (!response.ok()) {
      done(response.status());
      return;
    }
    pages_.fetch_add(1, std::memory_order_relaxed);
    Result<ListPage> page = ParseListPage(response->body);
    if (!page.ok()) {
      done(page.status());
      return;
    }
    const bool last = page->next_page_token.empty();
    std::string next = last ? std::string() : WindowCursorText(since, until, page->next_page_token);
    FetchMetadata(std::move(user), std::move(page->ids), std::move(next), last, std::move(done));
  });
}

void GmailMailSource::FetchHistory(std::string user, Cursor cursor, Done done) {
  CallSpec spec;
  spec.subject = user;
  spec.units = kUnitsHistoryList;
  spec.url = HistoryListUrl(options_.api_url, user, cursor.history_id, options_.page_size, cursor.page_token);
  spec.kind = "gmail.history";
  caller_.Call(std::move(spec), [this, user, start = cursor.history_id, done = std::move(done)](
                                    Result<http::Response> response) mutable {
    if (!response.ok()) {
      if (response.status().code() == StatusCode::kNotFound) {
        // startHistoryId is older than Gmail keeps: read the window again.
        MailUser again;
        again.primary = user;
        FetchPage(again, "mail", ListCursor("", ""), std::move(done));
        return;
      }
      done(response.status());
      return;
    }
    pages_.fetch_add(1, std::memory_order_relaxed);
    Result<HistoryPage> page = ParseHistoryPage(response->body);
    if (!page.ok()) {
      done(page.status());
      return;
    }
    const bool last = page->next_page_token.empty();
    // Further pages of this round keep the start; the last hands over the
    // mailbox's current historyId.
    std::string next = last ? HistoryCursor(page->history_id) : HistoryCursor(start, page->next_page_token);
    FetchMetadata(std::move(user), std::move(page->ids), std::move(next), last, std::move(done));
  });
}

struct GmailMailSource::Metadata {
  std::string user;
  std::vector<std::string> ids;
  std::vector<std::optional<std::string>> bodies;  // per id; nullopt: deleted meanwhile (404)
  std::vector<std::size_t> pending;                // indexes still to fetch
  std::string next_cursor;
  bool last = false;
  int attempt = 1;                                 // of the batch round now running
  Done done;
};

void GmailMailSource::FetchMetadata(std::string user, std::vector<std::string> ids, std::string next_cursor,
                                    bool last, Done done) {
  auto job = std::make_shared<Metadata>();
  job->user = std::move(user);
  job->ids = std::move(ids);
  job->bodies.resize(job->ids.size());
  for (std::size_t i = 0; i < job->ids.size(); ++i) job->pending.push_back(i);
  job->next_cursor = std::move(next_cursor);
  job->last = last;
  job->done = std::move(done);
  SendBatch(std::move(job), std::chrono::milliseconds(0));
}

// Sends the next batch_size pending ids; their answers either complete, or
// go back to `pending` (throttled, 5xx) for a later batch with backoff.
void GmailMailSource::SendBatch(std::shared_ptr<Metadata> job, std::chrono::milliseconds delay) {
  if (job->pending.empty()) {
    RawPage raw;
    // "<last>\n<cursor>[\n<user>]": the user only when ParsePage must name labels.
    raw.context = options_.resolve_label_names
                      ? fmt::format("{}\n{}\n{}", job->last ? 1 : 0, job->next_cursor, job->user)
                      : fmt::format("{}\n{}", job->last ? 1 : 0, job->next_cursor);
    for (const std::optional<std::string>& body : job->bodies) {
      if (body) AppendFrame(raw.body, *body);
    }
    job->done(std::move(raw));
    return;
  }
  const std::size_t count = std::min(job->pending.size(), static_cast<std::size_t>(options_.batch_size));
  std::vector<std::size_t> chunk(job->pending.begin(), job->pending.begin() + static_cast<std::ptrdiff_t>(count));
  job->pending.erase(job->pending.begin(), job->pending.begin() + static_cast<std::ptrdiff_t>(count));
  std::vector<BatchRequestPart> parts;
  for (std::size_t index : chunk) {
    parts.push_back({fmt::format("item-{}", index), MessageMetadataPath(job->user, job->ids[index])});
  }
  const std::string boundary =
      fmt::format("crmsync_batch_{}", batch_counter_.fetch_add(1, std::memory_order_relaxed));
  Result<std::string> body = BuildBatchRequest(boundary, parts);
  if (!body.ok()) {
    job->done(body.status());
    return;
  }
  CallSpec spec;
  spec.subject = job->user;
  spec.units = kUnitsMessagesGet * static_cast<int>(count);
  spec.method = "POST";
  spec.url = BatchUrl(options_.api_url);
  spec.body = std::move(body.value());
  spec.content_type = fmt::format("multipart/mixed; boundary={}", boundary);
  spec.kind = "gmail.batch";
  auto on_answer = [this, job, chunk = std::move(chunk)](Result<http::Response> response) {
    if (!response.ok()) {
      job->done(response.status());
      return;
    }
    Result<std::vector<BatchResponsePart>> parts = ParseBatchResponse(response->header("content-type"), response->body);
    if (!parts.ok()) {
      job->done(parts.status());
      return;
    }
    std::unordered_map<std::string, const BatchResponsePart*> by_id;
    for (const BatchResponsePart& part : *parts) by_id.emplace(part.content_id, &part);
    std::vector<std::size_t> retry;
    std::optional<std::chrono::milliseconds> retry_after;
    Status retry_status;
    for (std::size_t index : chunk) {
      auto it = by_id.find(fmt::format("item-{}", index));
      if (it == by_id.end()) {
        job->done(Status::Corruption(
            fmt::format("Gmail batch response for {}: no part answers message {}", job->user, job->ids[index])));
        return;
      }
      const BatchResponsePart& part = *it->second;
      if (part.status >= 200 && part.status < 300) {
        job->bodies[index] = part.body;
        continue;
      }
      if (part.status == 404) continue;  // deleted since it was listed: nothing to capture
      http::Response inner;
      inner.status = part.status;
      inner.body = part.body;
      inner.headers = part.headers;
      if (detail::IsRateLimited(inner) || part.status >= 500) {
        retry.push_back(index);
        if (auto after = http::ParseRetryAfter(inner.header("retry-after"))) retry_after = after;
        retry_status = detail::IsRateLimited(inner)
                           ? Status::Throttled(fmt::format("Gmail batch part for {}: HTTP {}", job->user, part.status),
                                               retry_after.value_or(std::chrono::milliseconds(0)))
                           : Status::Transient(fmt::format("Gmail batch part for {}: HTTP {}", job->user, part.status));
        continue;
      }
      GoogleError error = ParseGoogleError(part.body);
      job->done(Status::Permanent(fmt::format("Gmail messages.get for {} message {}: HTTP {}{}{}", job->user,
                                              job->ids[index], part.status, error.message.empty() ? "" : ": ",
                                              error.message.substr(0, 300))));
      return;
    }
    std::chrono::milliseconds next_delay{0};
    if (!retry.empty()) {
      const auto delay = http::NextRetryDelay(job->attempt, options_.max_attempts, retry_after);
      if (!delay) {
        job->done(http::RetriesExhausted(retry_status, job->attempt));
        return;
      }
      next_delay = *delay;
      job->pending.insert(job->pending.begin(), retry.begin(), retry.end());
    }
    SendBatch(job, next_delay);
  };
  // The backoff of throttled parts delays the next batch request.
  caller_.Call(std::move(spec), std::move(on_answer), delay);
}

Result<MailPage> GmailMailSource::ParsePage(RawPage&& raw) const {
  MailPage page;
  const std::size_t nl = raw.context.find('\n');
  if (nl != 1 || (raw.context[0] != '0' && raw.context[0] != '1')) {
    return Status::Corruption("Gmail page: malformed context");
  }
  page.last = raw.context[0] == '1';
  std::shared_ptr<const LabelNames> labels;
  const std::size_t user_at = raw.context.find('\n', 2);
  if (user_at == std::string::npos) {
    page.next_cursor = raw.context.substr(2);
  } else {
    page.next_cursor = raw.context.substr(2, user_at - 2);
    labels = LabelsOf(raw.context.substr(user_at + 1));
  }
  std::string_view body = raw.body;
  while (!body.empty()) {
    const std::size_t end = body.find('\n');
    std::size_t length = 0;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + (end == std::string_view::npos ? 0 : end), length);
    if (end == std::string_view::npos || ec != std::errc() || ptr != body.data() + end ||
        body.size() - end - 1 < length + 1) {
      return Status::Corruption("Gmail page: malformed framing");
    }
    Result<GmailMessage> message = ParseMessageMetadata(body.substr(end + 1, length));
    if (!message.ok()) return message.status();
    if (labels) ApplyLabelNames(*labels, message->message);
    page.messages.push_back(std::move(message->message));
    body.remove_prefix(end + 1 + length + 1);
  }
  return page;
}

}  // namespace

std::unique_ptr<MailSource> MakeGmailMailSource(http::Transport& transport, GmailSourceOptions options) {
  return std::make_unique<GmailMailSource>(transport, std::move(options));
}

}  // namespace crmsync::gmail

// The engine's view of a mail system (Microsoft Graph, Gmail, ...): users,
// the streams of each user, and pages of messages behind opaque cursors.
// Connectors implement it; the engine never builds a URL and never sees a
// wire format. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crmsync/core/mail_user.hpp"
#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync {

// One page of a stream, as parsed on an engine worker.
struct MailPage {
  std::vector<Message> messages;
  // Where the stream resumes after this page. With `last`, the cursor for
  // the next run (a deltaLink, a historyId); otherwise the next page of this
  // run (a nextLink, a pageToken).
  std::string next_cursor;
  bool last = false;
};

// Body of one fetched page, parsed later by ParsePage on a worker thread.
struct RawPage {
  std::string body;
  std::string context;   // connector-private state carried from fetch to parse
};

struct MailSourceStats {
  std::uint64_t pages = 0;         // mailbox pages fetched
  std::uint64_t requests = 0;      // HTTP requests, retries included
  std::uint64_t token_grants = 0;
};

class CalendarSource;

class MailSource {
 public:
  virtual ~MailSource() = default;

  // Every user of the organization (blocking; set-up only, never from a
  // transport callback).
  virtual Result<std::vector<MailUser>> ListUsers() = 0;
  // The users of a directory group, nested groups included, as MailUser ids
  // (blocking; set-up only). `group` is the group's id or its address. A
  // group that does not exist is kNotFound naming it. Sources without
  // groups keep this default.
  virtual Result<std::vector<std::string>> ListGroupMembers(const std::string& group) {
    return Status::InvalidArgument("this mail system has no directory groups (group " + group + ")");
  }
  // The streams each user has, e.g. {"mail/inbox", "mail/sentitems"}.
  virtual std::vector<std::string> StreamKinds() const = 0;
  // The cursor that starts `stream` of `user` from scratch.
  virtual std::string InitialCursor(const MailUserView& user, const std::string& stream) const = 0;
  // The cursor that lists the mail of `stream` of `user` sent in
  // [since_unix, until_unix) (backfill). Its last page has `last` set and an
  // empty next_cursor: a window has no increments. "" when this mail system
  // cannot list a window (the default).
  virtual std::string WindowCursor(const MailUserView& user, const std::string& stream, std::int64_t since_unix,
                                   std::int64_t until_unix) const {
    static_cast<void>(user), static_cast<void>(stream), static_cast<void>(since_unix), static_cast<void>(until_unix);
    return {};
  }
  // Fetches the page at `cursor`; `done` runs once, possibly on the
  // transport thread, and must not block. Errors: kGone means the cursor
  // expired and the stream must restart from InitialCursor.
  virtual void FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor,
                         std::function<void(Result<RawPage>)> done) = 0;
  // Parses a fetched page (kCorruption for malformed input; never throws).
  virtual Result<MailPage> ParsePage(RawPage&& raw) const = 0;
  virtual MailSourceStats Stats() const = 0;
  // The calendars of the same mail system (calendar_source.hpp), owned by the
  // source; nullptr when it has none.
  virtual CalendarSource* Calendar() { return nullptr; }
};

}  // namespace crmsync

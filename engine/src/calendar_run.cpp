// The calendar pass (calendar_run.hpp). Meetings are keyed by iCalUID, so
// every attendee's copy writes the same Event; there is no ledger skip: a
// delta increment only lists what changed, and a changed (or cancelled)
// meeting must be written again. Upserts make re-reading harmless.
#include "calendar_run.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include <fmt/format.h>

#include "blocking_upsert.hpp"
#include "calendar_window.hpp"
#include "crmsync/core/calendar_source.hpp"
#include "crmsync/engine/event_record.hpp"
#include "crmsync/engine/task_record.hpp"
#include "crmsync/engine/text.hpp"
#include "deterministic.hpp"
#include "freebusy_run.hpp"

namespace crmsync::engine {
namespace {

// Guards a source that keeps handing out next pages.
constexpr int kMaxCalendarPages = 100000;
// Directory rows "event-source/<user id>/<source id>" -> the Event key a
// calendar copy wrote, so a later tombstone (no iCalUID) finds its meeting.
constexpr std::string_view kSourceRowPrefix = "event-source/";
constexpr const char* kSourceRowSobject = "Event";

// Skip reasons of meeting copies (report calendar.skipped).
constexpr const char* kNoIcalUid = "no_ical_uid";
constexpr const char* kNoExternalAttendee = "no_external_attendee";
constexpr const char* kNoCrmMatch = "no_crm_match";
constexpr const char* kInvalidMeeting = "invalid_meeting";
constexpr const char* kDeduplicated = "deduplicated";

std::string SourceRowKey(const std::string& user_id, const std::string& source_id) {
  return fmt::format("{}{}/{}", kSourceRowPrefix, user_id, source_id);
}

struct Copy {
  std::size_t user = 0;
  Meeting meeting;
  std::string key;
  std::vector<std::string> externals;   // lower-case, in attendee order, deduplicated
};

struct UserRead {
  bool complete = false;
  std::string cursor;                   // for the next run, when complete
};

// Organizer first, then attendees; lower-case, deduplicated.
std::vector<std::string> Participants(const Meeting& m) {
  std::vector<std::string> out;
  auto add = [&](const std::string& address) {
    std::string lower = AsciiLower(address);
    if (lower.empty() || std::find(out.begin(), out.end(), lower) != out.end()) return;
    out.push_back(std::move(lower));
  };
  add(m.organizer.address);
  for (const auto& a : m.attendees) add(a.address);
  return out;
}

class CalendarPass {
 public:
  CalendarPass(TenantRuntime& tenant, state::Store& store, std::chrono::system_clock::time_point now)
      : tenant_(tenant), store_(store), now_(now), report_(tenant.report.calendar) {}

  void Run();

 private:
  void ReadUser(CalendarSource& source, std::size_t user);
  Status ResolveAddresses(const std::vector<std::string>& addresses);
  void BuildRecords();
  std::pair<std::string, std::size_t> Owner(const Copy& c) const;
  bool WriteRecords();
  void Commit(bool writes_answered);
  void Skip(const char* reason) { ++report_.skipped[reason]; }
  void MarkIncomplete(std::size_t user) { tenant_.MarkUserIncomplete(user); }

  TenantRuntime& tenant_;
  state::Store& store_;
  const std::chrono::system_clock::time_point now_;
  CalendarReport& report_;
  CalendarWindow window_;

  std::vector<UserRead> reads_;
  std::vector<Copy> copies_;
  std::vector<std::pair<std::size_t, std::string>> tombstones_;   // user, source id
  // Key -> the record to write, the user whose copy produced it, and its writer.
  struct Pending {
    salesforce::UpsertRecord record;
    std::size_t reader = 0;
    std::size_t writer = kServiceAccountWriter;
  };
  std::map<std::string, Pending> records_;
  std::map<std::string, bool> record_cancelled_;
  state::CheckpointBatch checkpoint_;
};

void CalendarPass::Run() {
  CalendarSource* source = tenant_.source ? tenant_.source->Calendar() : nullptr;
  if (source == nullptr) {
    tenant_.AddError(fmt::format("tenant {}: capture.calendar = \"meetings\": this mail system has no calendar "
                                 "connector (Microsoft Graph and Google Workspace have)",
                                 tenant_.config->id));
    return;
  }
  window_ = MeetingsWindow(tenant_.config->capture, now_);
  const auto& users = tenant_.directory->users();
  reads_.assign(users.size(), UserRead{});
  for (std::size_t u = 0; u < users.size(); ++u) {
    if (!users[u].enabled() || tenant_.user_status[u] == "suspended" || tenant_.suspended) continue;
    ReadUser(*source, u);
  }
  BuildRecords();
  const bool answered = WriteRecords();
  Commit(answered);
}

void CalendarPass::ReadUser(CalendarSource& source, std::size_t user) {
  const MailboxUser& mail_user = tenant_.directory->users()[user];
  const state::StreamId id{tenant_.config->id, std::string(mail_user.id()), kCalendarStream};
  const std::string initial = source.InitialCalendarCursor(mail_user, window_.start, window_.end);
  auto stored = store_.GetCursor(id);
  if (!stored.ok()) {
    tenant_.AddError(fmt::format("user {} calendar: {}", mail_user.primary(), stored.status().ToString()));
    MarkIncomplete(user);
    return;
  }
  std::string cursor = stored.value() ? stored.value()->position : initial;
  ++report_.calendars;
  bool restarted = false;
  std::vector<Meeting> meetings;
  for (int page_count = 0;; ++page_count) {
    if (page_count == kMaxCalendarPages) {
      tenant_.AddError(fmt::format("user {} calendar: more than {} pages in one round", mail_user.primary(),
                                   kMaxCalendarPages));
      MarkIncomplete(user);
      return;
    }
    auto page = source.FetchCalendarPage(mail_user, cursor);
    if (!page.ok()) {
      if (page.status().code() == StatusCode::kGone && !restarted) {
        // The sync state expired: read the window again; writes are upserts.
        restarted = true;
        tenant_.AddError(fmt::format("user {} calendar: sync state expired (410), re-reading the window",
                                     mail_user.primary()));
        meetings.clear();
        cursor = initial;
        continue;
      }
      tenant_.AddError(fmt::format("user {} calendar: {}", mail_user.primary(), page.status().ToString()));
      MarkIncomplete(user);
      return;
    }
    ++report_.pages;
    for (Meeting& m : page->meetings) meetings.push_back(std::move(m));
    cursor = std::move(page->next_cursor);
    if (page->last) break;
  }
  reads_[user] = UserRead{true, std::move(cursor)};
  for (Meeting& m : meetings) {
    if (m.removed) {
      ++report_.tombstones;
      tombstones_.emplace_back(user, m.source_id);
      continue;
    }
    ++report_.meetings_read;
    if (m.cancelled) ++report_.cancelled;
    Copy copy;
    copy.user = user;
    copy.key = MeetingKey(m.ical_uid);
    if (copy.key.empty()) {
      Skip(kNoIcalUid);
      continue;
    }
    // Remembered whatever happens to the copy: a later tombstone names it.
    checkpoint_.directory.emplace_back(tenant_.config->id, SourceRowKey(std::string(mail_user.id()), m.source_id),
                                       state::DirectoryEntry{kSourceRowSobject, copy.key, NowUnixMs()});
    for (std::string& a : Participants(m)) {
      if (!tenant_.directory->IsInternal(a)) copy.externals.push_back(std::move(a));
    }
    if (copy.externals.empty()) {
      Skip(kNoExternalAttendee);
      continue;
    }
    copy.meeting = std::move(m);
    copies_.push_back(std::move(copy));
  }
}

Status CalendarPass::ResolveAddresses(const std::vector<std::string>& addresses) {
  CrmResolver& crm = *tenant_.crm;
  const std::vector<std::string> misses = crm.Uncached(addresses);
  if (!misses.empty()) {
    auto stored = store_.GetDirectoryMany(tenant_.config->id, crm.DirectoryKeys(misses));
    if (stored.ok()) crm.SeedFromDirectory(misses, stored.value());
  }
  std::promise<Status> promise;
  auto future = promise.get_future();
  crm.Resolve(addresses, [&promise](Status status) { promise.set_value(std::move(status)); });
  return future.get();
}

void CalendarPass::BuildRecords() {
  // Tombstones: the copy's key from an earlier run (or this one). The Event
  // stays as written (a deletion without cancellation, or the meeting left
  // the window); counted, never dropped silently.
  if (!tombstones_.empty()) {
    std::vector<std::string> keys;
    for (const auto& [user, source_id] : tombstones_) {
      keys.push_back(SourceRowKey(std::string(tenant_.directory->users()[user].id()), source_id));
    }
    auto rows = store_.GetDirectoryMany(tenant_.config->id, keys);
    std::set<std::string> this_run;
    for (const auto& row : checkpoint_.directory) this_run.insert(std::get<1>(row));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const bool known = (rows.ok() && rows.value()[i].has_value()) || this_run.count(keys[i]) != 0;
      if (!known) ++report_.tombstones_unknown;
    }
  }
  if (copies_.empty()) return;
  std::vector<std::string> addresses;
  for (const Copy& c : copies_) addresses.insert(addresses.end(), c.externals.begin(), c.externals.end());
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  if (Status status = ResolveAddresses(addresses); !status.ok()) {
    tenant_.AddError(fmt::format("calendar: CRM lookup of {} attendee addresses failed: {}", addresses.size(),
                                 status.ToString()));
    for (std::size_t u = 0; u < reads_.size(); ++u) {
      if (reads_[u].complete) MarkIncomplete(u);
      reads_[u].complete = false;
    }
    copies_.clear();
    return;
  }
  const CaptureRules& rules = *tenant_.rules;
  for (Copy& c : copies_) {
    std::string contact, lead;
    for (const auto& a : c.externals) {
      const auto match = tenant_.crm->Find(a);
      if (!match) continue;
      if (contact.empty()) contact = match->contact_id;
      if (lead.empty()) lead = match->lead_id;
    }
    const std::string& who = rules.ChooseWho(contact, lead);
    if (who.empty()) {
      Skip(kNoCrmMatch);
      continue;
    }
    auto existing = record_cancelled_.find(c.key);
    // Copies of one meeting agree; a cancelled copy wins over one read
    // before the cancellation reached that calendar.
    if (existing != record_cancelled_.end() && (existing->second || !c.meeting.cancelled)) {
      Skip(kDeduplicated);
      continue;
    }
    const auto [owner, writer] = Owner(c);
    auto record = BuildMeetingEventRecord(c.meeting, who, owner);
    if (!record.ok()) {
      Skip(kInvalidMeeting);
      tenant_.AddError(fmt::format("user {} calendar: meeting {} not written: {}",
                                   tenant_.directory->users()[c.user].primary(), c.key, record.status().message()));
      continue;
    }
    if (existing != record_cancelled_.end()) Skip(kDeduplicated);   // the earlier copy is replaced
    record_cancelled_[c.key] = c.meeting.cancelled;
    records_[c.key] = Pending{std::move(record.value()), c.user, writer};
  }
}

// The organizer when it is a user with a Salesforce user, else the first
// such attendee: the same for every copy. Per-user authorization: the first
// such participant who can write, whose own session writes the Event (else
// the reader, who was read because they are connected).
std::pair<std::string, std::size_t> CalendarPass::Owner(const Copy& c) const {
  const bool per_user = tenant_.user_sessions != nullptr;
  const auto& users = tenant_.directory->users();
  for (const auto& a : Participants(c.meeting)) {
    const MailboxUser* user = tenant_.directory->FindUser(a);
    if (user == nullptr || user->salesforce_user_id().empty()) continue;
    const auto index = static_cast<std::size_t>(user - users.data());
    if (!per_user) return {std::string(user->salesforce_user_id()), kServiceAccountWriter};
    if (CanWrite(tenant_, index)) return {std::string(user->salesforce_user_id()), index};
  }
  if (!per_user) return {std::string(), kServiceAccountWriter};
  return {std::string(users[c.user].salesforce_user_id()), c.user};
}

bool CalendarPass::WriteRecords() {
  std::vector<Pending> all;
  all.reserve(records_.size());
  for (auto& [key, entry] : records_) all.push_back(std::move(entry));
  std::vector<std::size_t> writers;
  for (const Pending& p : all) writers.push_back(p.writer);
  bool answered = true;
  for (const std::vector<std::size_t>& request : RequestsByWriter(writers, kRecordsPerUpsert)) {
    std::vector<salesforce::UpsertRecord> chunk;
    for (std::size_t i : request) chunk.push_back(all[i].record);
    auto outcome = UpsertAndWait(tenant_, kEventSobject, std::move(chunk), all[request.front()].writer);
    if (!outcome.ok() || outcome->size() != request.size()) {
      answered = false;
      tenant_.AddError(fmt::format("Salesforce upsert of {} Events failed: {}", request.size(),
                                   outcome.ok() ? "answer does not match the request" : outcome.status().ToString()));
      continue;
    }
    for (std::size_t n = 0; n < request.size(); ++n) {
      const salesforce::UpsertOutcome& o = outcome.value()[n];
      const Pending& p = all[request[n]];
      const std::string& key = p.record.external_id;
      if (!o.success) {
        ++report_.failed;
        tenant_.AddError(fmt::format("Event {} refused by Salesforce: {} {}", key, o.error_code, o.error_message));
        continue;
      }
      ++report_.events_written;
      ++(o.created ? report_.created : report_.updated);
      checkpoint_.ledger.emplace_back(
          tenant_.config->id, key,
          state::LedgerEntry{o.id, kEventSobject, std::string(tenant_.directory->users()[p.reader].id()), NowUnixMs()});
    }
  }
  return answered;
}

void CalendarPass::Commit(bool writes_answered) {
  for (auto& row : tenant_.crm->TakeNewRows()) checkpoint_.directory.push_back(std::move(row));
  const std::int64_t now = NowUnixMs();
  for (std::size_t u = 0; u < reads_.size(); ++u) {
    if (!reads_[u].complete) continue;
    if (!writes_answered) {
      MarkIncomplete(u);
      continue;
    }
    checkpoint_.cursors.emplace_back(state::StreamId{tenant_.config->id, std::string(tenant_.directory->users()[u].id()), kCalendarStream},
                                     state::Cursor{std::move(reads_[u].cursor), now});
  }
  if (checkpoint_.empty()) return;
  if (Status status = store_.Commit(checkpoint_); !status.ok()) {
    tenant_.AddError("calendar: state commit failed: " + status.ToString());
  }
}

}  // namespace

void RunTenantCalendar(TenantRuntime& tenant, state::Store& store, std::chrono::system_clock::time_point now) {
  const CalendarCapture mode = tenant.config->capture.calendar;
  tenant.report.calendar.mode = mode == CalendarCapture::kMeetings ? "meetings"
                                : mode == CalendarCapture::kFreeBusy ? "free_busy"
                                                                      : "off";
  if (mode == CalendarCapture::kOff || !tenant.ready || tenant.suspended || !tenant.crm) return;
  if (mode == CalendarCapture::kFreeBusy) {
    RunTenantFreeBusy(tenant, store, now);
    return;
  }
  CalendarPass(tenant, store, now).Run();
}

}  // namespace crmsync::engine

#include "freebusy_run.hpp"

#include <algorithm>
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

namespace crmsync::engine {
namespace {

constexpr std::string_view kSlotsRowPrefix = "busy-slots/";
constexpr const char* kSlotsRowSobject = "BusySlots";
constexpr const char* kNoSalesforceUser = "no_salesforce_user";

std::string SlotsRowKey(const std::string& user_id) { return fmt::format("{}{}", kSlotsRowPrefix, user_id); }

using SlotTimes = std::pair<std::string, std::string>;   // start, end

// A slot the last complete run wrote; `id` is its ResourceAbsence's record
// id (empty for a busy Event, which is released by an upsert on its key).
struct RememberedSlot {
  BusySlot slot;
  std::string id;
};

// "start end[ id]" per line.
std::string EncodeSlots(const std::vector<BusySlot>& slots, const std::map<SlotTimes, std::string>& ids) {
  std::string out;
  for (const BusySlot& s : slots) {
    auto id = ids.find({s.start, s.end});
    out += id == ids.end() ? fmt::format("{} {}\n", s.start, s.end) : fmt::format("{} {} {}\n", s.start, s.end, id->second);
  }
  return out;
}

std::vector<RememberedSlot> DecodeSlots(std::string_view text) {
  std::vector<RememberedSlot> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    const std::size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      RememberedSlot r;
      r.slot.start = std::string(line.substr(0, space));
      line.remove_prefix(space + 1);
      const std::size_t second = line.find(' ');
      r.slot.end = std::string(line.substr(0, second));
      if (second != std::string_view::npos) r.id = std::string(line.substr(second + 1));
      out.push_back(std::move(r));
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

struct Pending {
  salesforce::UpsertRecord record;
  std::size_t user = 0;
  SlotTimes times;
};

class FreeBusyPass {
 public:
  FreeBusyPass(TenantRuntime& tenant, state::Store& store, std::chrono::system_clock::time_point now)
      : tenant_(tenant), store_(store), now_(now), report_(tenant.report.calendar) {}

  void Run();

 private:
  bool FindServiceResources(const std::vector<std::size_t>& users);
  void Collect(std::size_t user, const std::vector<BusySlot>& busy);
  bool Write(const char* sobject, std::vector<Pending>& records);
  // Deletes the ResourceAbsences of released slots; false when Salesforce
  // did not answer for each (the slots are then remembered as they were).
  bool DeleteReleased();
  std::size_t Writer(std::size_t user) const;
  void MarkIncomplete(std::size_t user) { tenant_.MarkUserIncomplete(user); }

  TenantRuntime& tenant_;
  state::Store& store_;
  const std::chrono::system_clock::time_point now_;
  CalendarReport& report_;
  CalendarWindow window_;
  // Salesforce user id (lower-case) -> ServiceResource id; empty map: no Scheduler.
  std::map<std::string, std::string> resources_;
  std::vector<Pending> events_, absences_;
  // Written ResourceAbsences: (user, slot times) -> record id, remembered
  // in the busy-slots rows so that a released slot's absence can be deleted.
  std::map<std::pair<std::size_t, SlotTimes>, std::string> absence_ids_;
  std::vector<std::pair<std::size_t, std::string>> released_absences_;   // user, record id to delete
  std::vector<std::pair<std::size_t, std::vector<BusySlot>>> answered_;   // users read, their slots
  state::CheckpointBatch checkpoint_;
};

// SELECT Id, RelatedRecordId FROM ServiceResource WHERE RelatedRecordId IN
// (...). An org without Salesforce Scheduler has no such sObject
// (INVALID_TYPE): then every slot is an Event.
bool FreeBusyPass::FindServiceResources(const std::vector<std::size_t>& users) {
  std::vector<std::string> ids;
  for (std::size_t u : users) ids.emplace_back(tenant_.directory->users()[u].salesforce_user_id());
  auto found = tenant_.salesforce->QueryByFieldBlocking("ServiceResource", "RelatedRecordId", ids);
  if (!found.ok()) {
    if (found.status().message().find("INVALID_TYPE") != std::string::npos) return true;
    tenant_.AddError("free/busy: cannot look up ServiceResources: " + found.status().ToString());
    return false;
  }
  for (const auto& match : found.value()) KeepSmallestId(resources_[match.email], match.id);
  return true;
}

void FreeBusyPass::Collect(std::size_t user, const std::vector<BusySlot>& busy) {
  const MailboxUser& mailbox = tenant_.directory->users()[user];
  auto resource = resources_.find(AsciiLower(mailbox.salesforce_user_id()));
  std::set<std::pair<std::string, std::string>> seen;
  for (const BusySlot& slot : busy) {
    ++report_.busy_slots;
    // Two meetings at the same times are one slot (one key).
    if (!seen.emplace(slot.start, slot.end).second) {
      ++report_.skipped["duplicate_slot"];
      continue;
    }
    auto record = resource != resources_.end()
                      ? BuildResourceAbsenceRecord(mailbox.primary(), slot, resource->second)
                      : BuildBusyEventRecord(mailbox.primary(), slot, std::string(mailbox.salesforce_user_id()));
    if (!record.ok()) {
      ++report_.skipped["invalid_slot"];
      tenant_.AddError(fmt::format("user {} free/busy: {}", mailbox.primary(), record.status().message()));
      continue;
    }
    (resource != resources_.end() ? absences_ : events_)
        .push_back(Pending{std::move(record.value()), user, {slot.start, slot.end}});
  }
}

// Per-user authorization: each user's slots are written and released with
// their own session; with mass authorization the service account writes all.
std::size_t FreeBusyPass::Writer(std::size_t user) const {
  return tenant_.user_sessions ? user : kServiceAccountWriter;
}

bool FreeBusyPass::Write(const char* sobject, std::vector<Pending>& records) {
  std::vector<std::size_t> writers;
  for (const Pending& p : records) writers.push_back(Writer(p.user));
  bool answered = true;
  for (const std::vector<std::size_t>& request : RequestsByWriter(writers, kRecordsPerUpsert)) {
    std::vector<salesforce::UpsertRecord> chunk;
    for (std::size_t i : request) chunk.push_back(records[i].record);
    auto outcome = UpsertAndWait(tenant_, sobject, std::move(chunk), writers[request.front()]);
    if (!outcome.ok() || outcome->size() != request.size()) {
      answered = false;
      tenant_.AddError(fmt::format("Salesforce upsert of {} {} records failed: {}", request.size(), sobject,
                                   outcome.ok() ? "answer does not match the request" : outcome.status().ToString()));
      continue;
    }
    for (std::size_t n = 0; n < request.size(); ++n) {
      const salesforce::UpsertOutcome& o = outcome.value()[n];
      const Pending& p = records[request[n]];
      if (!o.success) {
        ++report_.failed;
        tenant_.AddError(fmt::format("{} {} refused by Salesforce: {} {}", sobject, p.record.external_id,
                                     o.error_code, o.error_message));
        continue;
      }
      ++report_.events_written;
      ++(o.created ? report_.created : report_.updated);
      if (std::string_view(sobject) == kResourceAbsenceSobject && !o.id.empty()) {
        absence_ids_[{p.user, p.times}] = o.id;
      }
    }
  }
  return answered;
}

bool FreeBusyPass::DeleteReleased() {
  std::vector<std::size_t> writers;
  for (const auto& [user, id] : released_absences_) writers.push_back(Writer(user));
  bool answered = true;
  for (const std::vector<std::size_t>& request : RequestsByWriter(writers, kRecordsPerUpsert)) {
    std::vector<std::string> chunk;
    for (std::size_t i : request) chunk.push_back(released_absences_[i].second);
    auto outcome = DeleteAndWait(tenant_, std::move(chunk), writers[request.front()]);
    if (!outcome.ok() || outcome->size() != request.size()) {
      answered = false;
      tenant_.AddError(fmt::format("Salesforce delete of {} released {} records failed: {}", request.size(),
                                   kResourceAbsenceSobject,
                                   outcome.ok() ? "answer does not match the request" : outcome.status().ToString()));
      continue;
    }
    for (std::size_t n = 0; n < request.size(); ++n) {
      const salesforce::UpsertOutcome& o = outcome.value()[n];
      // Already gone (deleted by hand, or by a run that crashed before its commit): released all the same.
      if (o.success || o.error_code == "ENTITY_IS_DELETED") continue;
      answered = false;
      ++report_.failed;
      tenant_.AddError(fmt::format("{} {} not deleted by Salesforce: {} {}", kResourceAbsenceSobject,
                                   released_absences_[request[n]].second, o.error_code, o.error_message));
    }
  }
  return answered;
}

void FreeBusyPass::Run() {
  CalendarSource* source = tenant_.source ? tenant_.source->Calendar() : nullptr;
  if (source == nullptr) {
    tenant_.AddError(fmt::format("tenant {}: capture.calendar = \"free_busy\": this mail system has no calendar "
                                 "connector (Microsoft Graph and Google Workspace have)",
                                 tenant_.config->id));
    return;
  }
  window_ = FreeBusyWindow(tenant_.config->capture, now_);
  const auto& users = tenant_.directory->users();
  std::vector<std::size_t> selected;
  for (std::size_t u = 0; u < users.size(); ++u) {
    if (!users[u].enabled() || tenant_.user_status[u] == "suspended") continue;
    if (users[u].salesforce_user_id().empty()) {
      ++report_.skipped[kNoSalesforceUser];   // no owner to give the slots to
      continue;
    }
    selected.push_back(u);
  }
  if (selected.empty() || !FindServiceResources(selected)) return;
  const std::size_t per_request = std::max<std::size_t>(1, source->MaxBusyUsersPerRequest());
  const MailUserView caller = tenant_.directory->users()[selected.front()].view();
  for (std::size_t from = 0; from < selected.size(); from += per_request) {
    const std::size_t to = std::min(selected.size(), from + per_request);
    std::vector<MailUserView> batch;
    for (std::size_t i = from; i < to; ++i) batch.push_back(tenant_.directory->users()[selected[i]].view());
    report_.calendars += batch.size();
    auto answer = source->FetchBusy(caller, batch, window_.start, window_.end);
    if (!answer.ok()) {
      tenant_.AddError(fmt::format("free/busy of {} users: {}", batch.size(), answer.status().ToString()));
      for (std::size_t i = from; i < to; ++i) MarkIncomplete(selected[i]);
      continue;
    }
    ++report_.pages;
    std::map<std::string, const UserBusy*, std::less<>> by_address;
    for (const UserBusy& b : answer.value()) by_address[b.address] = &b;
    for (std::size_t i = from; i < to; ++i) {
      const std::size_t u = selected[i];
      auto it = by_address.find(users[u].primary());
      if (it == by_address.end() || !it->second->error.empty()) {
        tenant_.AddError(fmt::format("user {} free/busy: {}", users[u].primary(),
                                     it == by_address.end() ? "not in the answer" : it->second->error));
        MarkIncomplete(u);
        continue;
      }
      Collect(u, it->second->busy);
      answered_.emplace_back(u, it->second->busy);
    }
  }
  // Slots written by the last run that are gone from a window still ahead.
  std::vector<std::string> row_keys;
  for (const auto& [u, busy] : answered_) row_keys.push_back(SlotsRowKey(std::string(users[u].id())));
  auto rows = store_.GetDirectoryMany(tenant_.config->id, row_keys);
  for (std::size_t i = 0; i < answered_.size() && rows.ok(); ++i) {
    const auto& [u, busy] = answered_[i];
    if (!rows.value()[i]) continue;
    const bool scheduler = resources_.count(AsciiLower(users[u].salesforce_user_id())) != 0;
    std::set<std::pair<std::string, std::string>> now_busy;
    for (const BusySlot& s : busy) now_busy.emplace(s.start, s.end);
    for (const RememberedSlot& remembered : DecodeSlots(rows.value()[i]->salesforce_id)) {
      const BusySlot& old = remembered.slot;
      if (old.start < window_.start || now_busy.count({old.start, old.end}) != 0) continue;
      if (scheduler) {
        // A ResourceAbsence has no "free" state: the absence is deleted. A
        // slot remembered without its id (a row of an older crmsync, or an
        // Event written before the org had Scheduler) cannot be, and stays.
        if (remembered.id.empty() || remembered.id.find(' ') != std::string::npos) continue;
        ++report_.busy_released;
        released_absences_.emplace_back(u, remembered.id);
        continue;
      }
      auto record = BuildBusyEventRecord(users[u].primary(), old, std::string(users[u].salesforce_user_id()));
      if (!record.ok()) continue;
      for (auto& field : record->fields) {
        if (field.name == "Subject" || field.name == "ShowAs") field.value = "Free";
      }
      ++report_.busy_released;
      events_.push_back(Pending{std::move(record.value()), u, {old.start, old.end}});
    }
  }
  const bool events_ok = Write(kEventSobject, events_);
  const bool absences_ok = Write(kResourceAbsenceSobject, absences_);
  const bool deletes_ok = DeleteReleased();
  if (!events_ok || !absences_ok || !deletes_ok) {
    for (const auto& [u, busy] : answered_) MarkIncomplete(u);
    return;   // the remembered slots stay those of the last complete run
  }
  for (const auto& [u, busy] : answered_) {
    std::map<SlotTimes, std::string> ids;
    for (const BusySlot& s : busy) {
      if (auto id = absence_ids_.find({u, {s.start, s.end}}); id != absence_ids_.end()) ids.emplace(id->first.second, id->second);
    }
    checkpoint_.directory.emplace_back(tenant_.config->id, SlotsRowKey(std::string(users[u].id())),
                                       state::DirectoryEntry{kSlotsRowSobject, EncodeSlots(busy, ids), NowUnixMs()});
  }
  if (checkpoint_.empty()) return;
  if (Status status = store_.Commit(checkpoint_); !status.ok()) {
    tenant_.AddError("free/busy: state commit failed: " + status.ToString());
  }
}

}  // namespace

void RunTenantFreeBusy(TenantRuntime& tenant, state::Store& store, std::chrono::system_clock::time_point now) {
  FreeBusyPass(tenant, store, now).Run();
}

}  // namespace crmsync::engine

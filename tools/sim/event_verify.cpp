#include "event_verify.hpp"

#include <set>

#include <fmt/core.h>

#include "calendar_model.hpp"
#include "ground_truth.hpp"
#include "json_escape.hpp"
#include "salesforce_ids.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr std::size_t kMaxExamples = 10;
constexpr std::int64_t kDay = 86400;

void Compare(EventVerifyCounts& c, bool& bad, const std::string& key, const StoredTask& event, const char* field,
             const std::string& expected) {
  auto it = event.fields.find(field);
  const std::string actual = it == event.fields.end() ? std::string() : it->second;
  bool same = actual == expected;
  if (!same && (std::string_view(field) == "StartDateTime" || std::string_view(field) == "EndDateTime")) {
    auto a = ParseIsoSeconds(actual);
    auto e = ParseIsoSeconds(expected);
    same = a && e && *a == *e;
  }
  if (same) return;
  bad = true;
  if (c.examples.size() < kMaxExamples) c.examples.push_back(fmt::format("{} {}: expected '{}', got '{}'", key, field, expected, actual));
}

}  // namespace

EventVerifyCounts& EventVerifyCounts::operator+=(const EventVerifyCounts& o) {
  expected += o.expected;
  present += o.present;
  missing += o.missing;
  duplicates += o.duplicates;
  unexpected += o.unexpected;
  mismatched += o.mismatched;
  cancelled += o.cancelled;
  changed += o.changed;
  for (const auto& e : o.examples) {
    if (examples.size() < kMaxExamples) examples.push_back(e);
  }
  return *this;
}

std::string EventVerifyCounts::Json() const {
  std::string list;
  for (std::size_t i = 0; i < examples.size(); ++i) list += fmt::format(R"({}"{}")", i ? "," : "", JsonEscape(examples[i]));
  return fmt::format(
      R"({{"expected":{},"present":{},"missing":{},"duplicates":{},"unexpected":{},"mismatched":{},"cancelled":{},"changed":{},"examples":[{}]}})",
      expected, present, missing, duplicates, unexpected, mismatched, cancelled, changed, list);
}

EventVerifyCounts VerifyEvents(const Corpus& corpus, int tenant,
                               const std::map<std::string, std::vector<StoredTask>>& events_by_key) {
  EventVerifyCounts c;
  const Tenant& t = corpus.tenants()[static_cast<std::size_t>(tenant)];
  std::set<std::string> expected_keys;
  if (t.provider != Provider::kEws) {
    const Epochs epochs = corpus.epochs();
    const int epoch_count = static_cast<int>(epochs.size());
    CalendarModel model(corpus);
    for (std::size_t u = 0; u < t.users.size(); ++u) {
      // A user's own meetings: every meeting is organized by exactly one user.
      for (const SimMeeting& m : model.Calendar(tenant, static_cast<int>(u), 0, epoch_count, epochs)) {
        if (m.ref.organizer != static_cast<int>(u)) continue;
        std::string contact, lead;
        for (int p : m.people) {
          const ExternalPerson& person = t.people[static_cast<std::size_t>(p)];
          if (contact.empty()) contact = person.contact_id;
          if (lead.empty()) lead = person.lead_id;
        }
        const std::string who = !contact.empty() ? contact : lead;
        if (who.empty()) continue;
        const std::string key = NormalizeMessageId("ical:" + m.ical_uid);
        if (!expected_keys.insert(key).second) continue;
        ++c.expected;
        const bool cancelled = m.CancelledAt(epoch_count);
        if (cancelled) ++c.cancelled;
        if (m.ChangedAt(epoch_count)) ++c.changed;
        auto found = events_by_key.find(key);
        if (found == events_by_key.end() || found->second.empty()) {
          ++c.missing;
          if (c.examples.size() < kMaxExamples) c.examples.push_back("missing " + key);
          continue;
        }
        ++c.present;
        if (found->second.size() > 1) c.duplicates += found->second.size() - 1;
        const StoredTask& event = found->second.front();
        bool bad = false;
        Compare(c, bad, key, event, "Subject", (cancelled ? "Canceled: " : "") + m.subject);
        Compare(c, bad, key, event, "ShowAs", cancelled ? "Free" : "Busy");
        Compare(c, bad, key, event, "WhoId", who);
        Compare(c, bad, key, event, "OwnerId", t.users[u].sf_user_id);
        Compare(c, bad, key, event, "Location", m.location);
        Compare(c, bad, key, event, "IsAllDayEvent", m.all_day ? "true" : "false");
        Compare(c, bad, key, event, "StartDateTime", FormatIsoUtc(m.start));
        Compare(c, bad, key, event, "EndDateTime", FormatIsoUtc(m.all_day ? m.end - kDay : m.end));
        if (bad) ++c.mismatched;
      }
    }
  }
  for (const auto& [key, events] : events_by_key) {
    if (key.rfind("ical:", 0) == 0 && expected_keys.count(key) == 0) {
      c.unexpected += events.size();
      if (c.examples.size() < kMaxExamples) c.examples.push_back("unexpected " + key);
    }
  }
  return c;
}

std::string ServiceResourceId(const Tenant& tenant, int user) {
  return sf::MakeSalesforceId("0Hn", static_cast<std::uint32_t>(tenant.index), static_cast<std::uint64_t>(user) + 1);
}

void AddServiceResources(const Tenant& tenant, OrgSetup& org) {
  for (std::size_t u = 0; u < tenant.users.size(); ++u) {
    DirectoryRecord resource;
    resource.sobject = "ServiceResource";
    resource.id = ServiceResourceId(tenant, static_cast<int>(u));
    resource.first_name = tenant.users[u].given_name;
    resource.last_name = tenant.users[u].surname;
    resource.related_record_id = tenant.users[u].sf_user_id;
    org.records.push_back(std::move(resource));
  }
}

EventVerifyCounts VerifyBusyEvents(const Corpus& corpus, int tenant,
                                   const std::map<std::string, std::vector<StoredTask>>& events_by_key,
                                   const std::map<std::string, std::vector<StoredTask>>& absences_by_key,
                                   std::int64_t from, std::int64_t to) {
  EventVerifyCounts c;
  const bool scheduler = corpus.options().scheduler;
  const auto& expected_in = scheduler ? absences_by_key : events_by_key;
  const Tenant& t = corpus.tenants()[static_cast<std::size_t>(tenant)];
  std::set<std::string> expected_keys;
  if (t.provider != Provider::kEws) {
    const Epochs epochs = corpus.epochs();
    const int epoch_count = static_cast<int>(epochs.size());
    CalendarModel model(corpus);
    for (std::size_t u = 0; u < t.users.size(); ++u) {
      for (const SimMeeting& m : model.Calendar(tenant, static_cast<int>(u), 0, epoch_count, epochs)) {
        if (m.CancelledAt(epoch_count) || !m.Overlaps(from, to)) continue;
        const std::string key =
            NormalizeMessageId(fmt::format("busy:{}:{}/{}", t.users[u].primary, FormatIsoUtc(m.start), FormatIsoUtc(m.end)));
        if (!expected_keys.insert(key).second) continue;
        ++c.expected;
        auto found = expected_in.find(key);
        if (found == expected_in.end() || found->second.empty()) {
          ++c.missing;
          if (c.examples.size() < kMaxExamples) c.examples.push_back("missing " + key);
          continue;
        }
        ++c.present;
        if (found->second.size() > 1) c.duplicates += found->second.size() - 1;
        const StoredTask& event = found->second.front();
        bool bad = false;
        if (scheduler) {
          Compare(c, bad, key, event, "ResourceId", ServiceResourceId(t, static_cast<int>(u)));
          Compare(c, bad, key, event, "Start", FormatIsoUtc(m.start));
          Compare(c, bad, key, event, "End", FormatIsoUtc(m.end));
          Compare(c, bad, key, event, "Type", "Meeting");
          if (bad) ++c.mismatched;
          continue;
        }
        Compare(c, bad, key, event, "Subject", "Busy");
        Compare(c, bad, key, event, "ShowAs", "Busy");
        Compare(c, bad, key, event, "OwnerId", t.users[u].sf_user_id);
        for (const char* detail : {"WhoId", "Location", "Description"}) Compare(c, bad, key, event, detail, "");
        if (bad) ++c.mismatched;
      }
    }
  }
  // A slot no longer busy must have been released (Subject and ShowAs Free);
  // with Scheduler no busy Event may exist at all.
  for (const auto& [key, events] : events_by_key) {
    if (key.rfind("busy:", 0) != 0 || (!scheduler && expected_keys.count(key) != 0)) continue;
    for (const StoredTask& event : events) {
      auto show = event.fields.find("ShowAs");
      if (show != event.fields.end() && show->second == "Free") continue;
      ++c.unexpected;
      if (c.examples.size() < kMaxExamples) c.examples.push_back("unexpected busy " + key);
    }
  }
  // With Scheduler a released slot's absence must be gone (deleted): an
  // absence starting inside the window that is no busy slot is unexpected.
  if (scheduler) {
    for (const auto& [key, absences] : absences_by_key) {
      if (key.rfind("busy:", 0) != 0 || expected_keys.count(key) != 0) continue;
      for (const StoredTask& absence : absences) {
        auto start = absence.fields.find("Start");
        const auto at = start == absence.fields.end() ? std::nullopt : ParseIsoSeconds(start->second);
        if (!at || *at < from || *at >= to) continue;
        ++c.unexpected;
        if (c.examples.size() < kMaxExamples) c.examples.push_back("unexpected absence " + key);
      }
    }
  }
  return c;
}

}  // namespace crmsync::sim

// Ground truth for calendar Events (capture.calendar = "meetings"), decided
// from the corpus alone:
// - Every meeting of the tenant's calendars (one per iCalUID, all epochs so
//   far) whose external attendees (tenant.people, in attendee order) include
//   a Contact or a Lead is expected once, keyed "ical:" + iCalUID
//   lower-cased; WhoId = the Contact id of the first that is a Contact, else
//   the Lead id of the first that is a Lead; OwnerId = the organizer's
//   Salesforce user.
// - Subject = the subject, prefixed "Canceled: " once the meeting is
//   cancelled; ShowAs Busy, or Free when cancelled; StartDateTime and
//   EndDateTime the meeting's times (all-day: first and last day at
//   midnight UTC, the last day inclusive), compared as instants; Location
//   the meeting's (absent when it has none). A meeting changed in place
//   (--meeting-changes) is compared with its latest version.
// - It assumes the engine's calendar window covers every generated meeting
//   (meetings lie within 7 days before and 14 days after the epoch clocks).
// EWS tenants have no calendar connector and expect nothing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "salesforce_sim.hpp"

namespace crmsync::sim {

struct EventVerifyCounts {
  std::uint64_t expected = 0, present = 0, missing = 0, duplicates = 0, unexpected = 0, mismatched = 0;
  std::uint64_t cancelled = 0;   // expected meetings that are cancelled (their Event must be marked)
  std::uint64_t changed = 0;     // expected meetings changed in place (--meeting-changes): the Event shows the latest version
  std::vector<std::string> examples;   // "key field expected actual", a few
  EventVerifyCounts& operator+=(const EventVerifyCounts& o);
  std::string Json() const;
};

// Free/busy only (capture.calendar = "free_busy") over [from, to) (seconds):
// every user's busy slots (its calendar's meetings not cancelled that
// overlap the window, times unclipped, as getSchedule / freeBusy give them)
// are expected as Events keyed "busy:<primary>:<start>/<end>" lower-cased
// (start/end "YYYY-MM-DDTHH:MM:SSZ"), Subject "Busy", ShowAs Busy, OwnerId
// the user's Salesforce user, and nothing else: a WhoId, Location or
// Description on one counts as mismatched. "cancelled" counts nothing here.
// With --scheduler the slots are expected as ResourceAbsences instead
// (`absences_by_key`): ResourceId the user's ServiceResource, Start, End,
// Type "Meeting"; no busy Event may exist then, and an absence starting in
// the window that is no busy slot (a released slot not deleted) is unexpected.
EventVerifyCounts VerifyBusyEvents(const Corpus& corpus, int tenant,
                                   const std::map<std::string, std::vector<StoredTask>>& events_by_key,
                                   const std::map<std::string, std::vector<StoredTask>>& absences_by_key,
                                   std::int64_t from, std::int64_t to);

// --scheduler: the ServiceResource of each user (RelatedRecordId = its User).
std::string ServiceResourceId(const Tenant& tenant, int user);
void AddServiceResources(const Tenant& tenant, OrgSetup& org);

EventVerifyCounts VerifyEvents(const Corpus& corpus, int tenant,
                               const std::map<std::string, std::vector<StoredTask>>& events_by_key);

}  // namespace crmsync::sim

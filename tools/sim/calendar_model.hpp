// Calendars of the simulated corpus: a pure function of the seed, generated
// lazily like the mail (nothing is stored). The rules are documented in
// corpus.hpp ("Calendars"). The engine does not read calendars yet; these
// serve the calendar endpoints (calendar_service.hpp) and their tests.
//
// With CorpusOptions::meeting_changes (--meeting-changes), 20% of the
// meetings not cancelled are changed in place by the next epoch (the one
// /_sim/advance adds): the subject gets " (moved)", start and end move one
// hour later (all-day: one day), the location becomes "<location> (new
// room)" (or "Room 2"), and one more external attendee is invited when the
// tenant has people. Meeting() returns the version as of the epochs given,
// so the calendars and the ground truth always show the latest one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"

namespace crmsync::sim {

inline constexpr int kMeetingsPerUserPerEpoch = 3;

struct MeetingRef {
  int tenant = 0;
  int organizer = 0;
  int epoch = 0;
  int index = 0;
};

struct SimMeeting {
  MeetingRef ref;
  std::string ical_uid;               // shared by every attendee's copy
  std::string subject;                // may hold non-ASCII text
  std::string location;               // may be empty
  std::int64_t start = 0, end = 0;    // seconds since the Unix epoch; all-day: midnights UTC
  bool all_day = false;
  int cancel_epoch = -1;              // cancelled once this epoch exists (-1: never)
  int change_epoch = -1;              // changed in place once this epoch exists (-1: never)
  int internal_attendee = -1;         // user index, or -1
  std::vector<int> people;            // indexes in Tenant::people (external attendees)

  bool CancelledAt(int epoch_count) const { return cancel_epoch >= 0 && cancel_epoch < epoch_count; }
  bool ChangedAt(int epoch_count) const { return change_epoch >= 0 && change_epoch < epoch_count; }
  bool Overlaps(std::int64_t from, std::int64_t to) const { return start < to && end > from; }
};

class CalendarModel {
 public:
  explicit CalendarModel(const Corpus& corpus) : corpus_(corpus) {}

  SimMeeting Meeting(const MeetingRef& ref, const Epochs& epochs) const;
  // User `user`'s calendar among epochs [from_epoch, to_epoch): the meetings
  // it organizes, then those of user-1 that invite it, epoch by epoch.
  std::vector<SimMeeting> Calendar(int tenant, int user, int from_epoch, int to_epoch, const Epochs& epochs) const;
  // Meetings of `user`'s calendar created before `from_epoch` and cancelled
  // by an epoch in [from_epoch, to_epoch): an increment's changes.
  std::vector<SimMeeting> CancelledSince(int tenant, int user, int from_epoch, int to_epoch, const Epochs& epochs) const;
  // Meetings of `user`'s calendar created before `from_epoch` and changed in
  // place by an epoch in [from_epoch, to_epoch) (--meeting-changes).
  std::vector<SimMeeting> ChangedSince(int tenant, int user, int from_epoch, int to_epoch, const Epochs& epochs) const;

  // Id of user's copy: Graph-looking ("AAMkAD...") or Google-looking (base32hex).
  std::string GraphEventId(const SimMeeting& meeting, int user) const;
  std::string GoogleEventId(const SimMeeting& meeting, int user) const;

 private:
  const Corpus& corpus_;
};

// "2026-05-01T10:00:00[.fff][Z|±hh:mm]" -> seconds since the Unix epoch.
std::optional<std::int64_t> ParseIsoSeconds(std::string_view text);

}  // namespace crmsync::sim

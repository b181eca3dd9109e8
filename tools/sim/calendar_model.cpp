#include "calendar_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "prng.hpp"

namespace crmsync::sim {
namespace {

// Calendar values come from their own hash stream (not a Tag of prng.hpp), so
// adding calendars changes no mail value and no mail ground truth.
constexpr std::uint64_t kCalendarStream = 0xCA1E'0DA7'5EED'0001ULL;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kHalfHour = 1800;
constexpr int kChangePercent = 20;

constexpr std::string_view kTopics[] = {
    "Quarterly review", "Démo produit", "Kick-off 🚀", "Pricing call", "Contract walkthrough",
    "Onboarding session", "Übergabe Projekt", "Weekly sync", "Roadmap — Q3", "Renewal discussion"};
constexpr std::string_view kRooms[] = {"", "Room 1", "Salle Étoile", "Microsoft Teams Meeting", "HQ 4th floor"};

std::uint64_t U(int v) { return static_cast<std::uint64_t>(v); }

std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = static_cast<int>(y - era * 400);
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Digits(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> ParseIsoSeconds(std::string_view text) {
  int y, mo, d, h, mi, s;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      !Digits(text, 0, 4, y) || !Digits(text, 5, 2, mo) || !Digits(text, 8, 2, d) || !Digits(text, 11, 2, h) ||
      !Digits(text, 14, 2, mi) || !Digits(text, 17, 2, s) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || s > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  std::int64_t offset = 0;
  std::string_view zone = text.substr(pos);
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh, om;
    if (!Digits(zone, 1, 2, oh) || !Digits(zone, 4, 2, om)) return std::nullopt;
    offset = (zone[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else if (!zone.empty() && zone != "Z") {
    return std::nullopt;
  }
  return DaysFromCivil(y, mo, d) * kDay + h * 3600 + mi * 60 + s - offset;
}

SimMeeting CalendarModel::Meeting(const MeetingRef& ref, const Epochs& epochs) const {
  const Tenant& tenant = corpus_.tenants()[static_cast<std::size_t>(ref.tenant)];
  const std::uint64_t h = HashOf({corpus_.seed(), kCalendarStream, U(ref.tenant), U(ref.organizer), U(ref.epoch), U(ref.index)});
  Rng rng(h);
  SimMeeting m;
  m.ref = ref;
  const int users = static_cast<int>(tenant.users.size());
  if (users > 1 && rng.Chance(50)) m.internal_attendee = (ref.organizer + 1) % users;
  if (!tenant.people.empty() && rng.Chance(60)) {
    const int count = 1 + static_cast<int>(rng.Below(3));
    for (int i = 0; i < count; ++i) {
      const int p = static_cast<int>(rng.Below(tenant.people.size()));
      if (std::find(m.people.begin(), m.people.end(), p) == m.people.end()) m.people.push_back(p);
    }
  }
  const std::int64_t clock = epochs[static_cast<std::size_t>(ref.epoch)].clock;
  // Within a week before and two weeks after the epoch's clock, on half hours.
  const std::int64_t base = (clock / kHalfHour) * kHalfHour - 7 * kDay;
  m.all_day = rng.Chance(5);
  if (m.all_day) {
    m.start = ((base + static_cast<std::int64_t>(rng.Below(21)) * kDay) / kDay) * kDay;
    m.end = m.start + (1 + static_cast<std::int64_t>(rng.Below(2))) * kDay;
  } else {
    m.start = base + static_cast<std::int64_t>(rng.Below(21 * 48)) * kHalfHour;
    m.end = m.start + (1 + static_cast<std::int64_t>(rng.Below(3))) * kHalfHour;
  }
  if (rng.Chance(15)) m.cancel_epoch = ref.epoch + 1;
  m.ical_uid = fmt::format("040000008200E00074C5B7101A82E008{:016X}{:016X}", h, Mix64(h));
  std::string subject(kTopics[rng.Below(std::size(kTopics))]);
  if (!m.people.empty()) {
    subject += " with " + tenant.people[static_cast<std::size_t>(m.people[0])].display_name;
  }
  m.subject = std::move(subject);
  m.location = kRooms[rng.Below(std::size(kRooms))];
  // Drawn last, so that the option changes no other value.
  if (corpus_.options().meeting_changes && m.cancel_epoch < 0 && rng.Chance(kChangePercent)) {
    m.change_epoch = ref.epoch + 1;
    const std::uint64_t extra = tenant.people.empty() ? 0 : rng.Below(tenant.people.size());
    if (m.ChangedAt(static_cast<int>(epochs.size()))) {
      m.subject += " (moved)";
      const std::int64_t shift = m.all_day ? kDay : 2 * kHalfHour;
      m.start += shift;
      m.end += shift;
      m.location = m.location.empty() ? "Room 2" : m.location + " (new room)";
      const int p = static_cast<int>(extra);
      if (!tenant.people.empty() && std::find(m.people.begin(), m.people.end(), p) == m.people.end()) {
        m.people.push_back(p);
      }
    }
  }
  return m;
}

std::vector<SimMeeting> CalendarModel::Calendar(int tenant, int user, int from_epoch, int to_epoch,
                                                const Epochs& epochs) const {
  std::vector<SimMeeting> out;
  const int users = static_cast<int>(corpus_.tenants()[static_cast<std::size_t>(tenant)].users.size());
  const int previous = (user + users - 1) % users;
  to_epoch = std::min(to_epoch, static_cast<int>(epochs.size()));
  for (int e = std::max(0, from_epoch); e < to_epoch; ++e) {
    for (int k = 0; k < kMeetingsPerUserPerEpoch; ++k) out.push_back(Meeting({tenant, user, e, k}, epochs));
    if (previous == user) continue;
    for (int k = 0; k < kMeetingsPerUserPerEpoch; ++k) {
      SimMeeting m = Meeting({tenant, previous, e, k}, epochs);
      if (m.internal_attendee == user) out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<SimMeeting> CalendarModel::CancelledSince(int tenant, int user, int from_epoch, int to_epoch,
                                                      const Epochs& epochs) const {
  std::vector<SimMeeting> out;
  // Only epoch from-1 can be cancelled by an epoch in [from, to) (cancel_epoch = epoch + 1).
  if (from_epoch < 1 || from_epoch >= to_epoch) return out;
  for (SimMeeting& m : Calendar(tenant, user, from_epoch - 1, from_epoch, epochs)) {
    if (m.cancel_epoch >= from_epoch && m.cancel_epoch < to_epoch) out.push_back(std::move(m));
  }
  return out;
}

std::vector<SimMeeting> CalendarModel::ChangedSince(int tenant, int user, int from_epoch, int to_epoch,
                                                    const Epochs& epochs) const {
  std::vector<SimMeeting> out;
  // As for cancellations, only epoch from-1 can be changed by an epoch in [from, to).
  if (from_epoch < 1 || from_epoch >= to_epoch) return out;
  for (SimMeeting& m : Calendar(tenant, user, from_epoch - 1, from_epoch, epochs)) {
    if (m.change_epoch >= from_epoch && m.change_epoch < to_epoch) out.push_back(std::move(m));
  }
  return out;
}

std::string CalendarModel::GraphEventId(const SimMeeting& meeting, int user) const {
  const std::uint64_t h = HashOf({corpus_.seed(), kCalendarStream, 1, U(meeting.ref.tenant), U(meeting.ref.organizer),
                                  U(meeting.ref.epoch), U(meeting.ref.index), U(user)});
  return fmt::format("AAMkAD{:016x}{:016x}=", h, Mix64(h));
}

std::string CalendarModel::GoogleEventId(const SimMeeting& meeting, int user) const {
  const std::uint64_t h = HashOf({corpus_.seed(), kCalendarStream, 2, U(meeting.ref.tenant), U(meeting.ref.organizer),
                                  U(meeting.ref.epoch), U(meeting.ref.index), U(user)});
  return fmt::format("{:016x}{:08x}", h, static_cast<std::uint32_t>(Mix64(h)));
}

}  // namespace crmsync::sim

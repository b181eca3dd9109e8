// GraphMailSource as a CalendarSource: calendarView delta pages and
// getSchedule, blocking on the asynchronous GraphClient.
#include <future>

#include "crmsync/graph/calendar.hpp"
#include "crmsync/graph/mail_source.hpp"

namespace crmsync::graph {
namespace {

// getSchedule's free/busy granularity; only scheduleItems are read, so it
// matters for the availabilityView string alone.
constexpr int kScheduleIntervalMinutes = 30;

template <class Start>
Result<std::string> Wait(Start start) {
  std::promise<Result<std::string>> promise;
  std::future<Result<std::string>> future = promise.get_future();
  start([&promise](Result<std::string> body) { promise.set_value(std::move(body)); });
  return future.get();
}

}  // namespace

std::string GraphMailSource::InitialCalendarCursor(const MailUserView& user, std::string_view start_iso,
                                                   std::string_view end_iso) const {
  return InitialCalendarDeltaUrl(client_.options().graph_url, user.id, start_iso, end_iso);
}

Result<CalendarPage> GraphMailSource::FetchCalendarPage(const MailUserView& user, const std::string& cursor) {
  auth::TokenProvider* tokens = TokensFor(user);
  if (tokens == nullptr) return NoGrant(user);
  auto body = Wait([&](auto done) { client_.FetchPage(cursor, "graph.calendar_delta", std::move(done), *tokens); });
  if (!body.ok()) return body.status();
  auto delta = ParseCalendarDeltaPage(body.value());
  if (!delta.ok()) return delta.status();
  CalendarPage page;
  page.meetings = std::move(delta->meetings);
  page.last = delta->next_link.empty();
  page.next_cursor = page.last ? std::move(delta->delta_link) : std::move(delta->next_link);
  return page;
}

std::size_t GraphMailSource::MaxBusyUsersPerRequest() const { return kMaxSchedulesPerRequest; }

Result<std::vector<UserBusy>> GraphMailSource::FetchBusy(const MailUserView& caller, std::span<const MailUserView> users,
                                                         std::string_view start_iso, std::string_view end_iso) {
  std::vector<std::string> schedules;
  schedules.reserve(users.size());
  for (const MailUserView& user : users) schedules.emplace_back(user.primary);
  auto request = BuildGetScheduleBody(schedules, start_iso, end_iso, kScheduleIntervalMinutes);
  if (!request.ok()) return request.status();
  const std::string url = GetScheduleUrl(client_.options().graph_url, caller.id);
  auth::TokenProvider* tokens = TokensFor(caller);
  if (tokens == nullptr) return NoGrant(caller);
  auto body = Wait([&](auto done) {
    client_.PostJson(url, std::move(request.value()), "graph.get_schedule", std::move(done), tokens);
  });
  if (!body.ok()) return body.status();
  auto parsed = ParseGetScheduleResponse(body.value());
  if (!parsed.ok()) return parsed.status();
  std::vector<UserBusy> out;
  out.reserve(parsed->size());
  for (ScheduleResult& r : parsed.value()) {
    UserBusy busy;
    busy.address = std::move(r.schedule_id);
    for (char& c : busy.address) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    busy.busy = std::move(r.busy);
    busy.error = std::move(r.error);
    out.push_back(std::move(busy));
  }
  return out;
}

}  // namespace crmsync::graph

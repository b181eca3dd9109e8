#include "gmail_calendar_source.hpp"

#include <fmt/format.h>

#include <future>

#include "crmsync/gmail/calendar.hpp"

namespace crmsync::gmail::detail {
namespace {

constexpr std::string_view kFull = "full|";
constexpr std::string_view kSync = "sync|";
// Quota units of one events.list / freeBusy call.
constexpr int kCalendarUnits = 1;
// freeBusy's calendarExpansionMax.
constexpr std::size_t kMaxFreeBusyCalendars = 50;

std::vector<std::string_view> SplitBars(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t bar = text.find('|');
    parts.push_back(text.substr(0, bar));
    if (bar == std::string_view::npos) return parts;
    text.remove_prefix(bar + 1);
  }
}

class GoogleCalendarSource final : public CalendarSource {
 public:
  GoogleCalendarSource(GmailCaller& caller, std::string api_url) : caller_(caller), api_url_(std::move(api_url)) {}

  std::string InitialCalendarCursor(const MailUserView&, std::string_view start_iso,
                                    std::string_view end_iso) const override {
    return fmt::format("{}{}|{}|", kFull, start_iso, end_iso);
  }

  Result<CalendarPage> FetchCalendarPage(const MailUserView& user, const std::string& cursor) override {
    std::string_view text(cursor);
    const bool full = text.substr(0, kFull.size()) == kFull;
    if (!full && text.substr(0, kSync.size()) != kSync) {
      return Status::InvalidArgument(fmt::format("Google Calendar cursor of {} is not full|... or sync|...", user.primary));
    }
    text.remove_prefix(kFull.size());
    const std::vector<std::string_view> parts = SplitBars(text);
    if (parts.size() != (full ? 3u : 2u)) {
      return Status::InvalidArgument(fmt::format("Google Calendar cursor of {} is malformed", user.primary));
    }
    CallSpec spec;
    spec.subject = user.primary;
    spec.units = kCalendarUnits;
    spec.kind = "google.calendar_events";
    spec.url = full ? CalendarEventsUrl(api_url_, parts[0], parts[1], "", parts[2])
                    : CalendarEventsUrl(api_url_, "", "", parts[0], parts[1]);
    auto response = Call(std::move(spec));
    if (!response.ok()) return response.status();
    auto parsed = ParseCalendarEventsPage(response->body);
    if (!parsed.ok()) return parsed.status();
    CalendarPage page;
    page.meetings = std::move(parsed->meetings);
    if (!parsed->next_page_token.empty()) {
      page.next_cursor = full ? fmt::format("{}{}|{}|{}", kFull, parts[0], parts[1], parsed->next_page_token)
                              : fmt::format("{}{}|{}", kSync, parts[0], parsed->next_page_token);
    } else if (!parsed->next_sync_token.empty()) {
      page.last = true;
      page.next_cursor = fmt::format("{}{}|", kSync, parsed->next_sync_token);
    } else {
      return Status::Corruption(fmt::format(
          "Google Calendar events of {}: the page has neither nextPageToken nor nextSyncToken", user.primary));
    }
    return page;
  }

  std::size_t MaxBusyUsersPerRequest() const override { return kMaxFreeBusyCalendars; }

  Result<std::vector<UserBusy>> FetchBusy(const MailUserView& caller, std::span<const MailUserView> users,
                                          std::string_view start_iso, std::string_view end_iso) override {
    std::vector<std::string> ids;
    ids.reserve(users.size());
    for (const MailUserView& user : users) ids.emplace_back(user.primary);
    auto body = BuildFreeBusyBody(ids, start_iso, end_iso);
    if (!body.ok()) return body.status();
    CallSpec spec;
    spec.subject = caller.primary;
    spec.units = kCalendarUnits;
    spec.kind = "google.freebusy";
    spec.method = "POST";
    spec.url = FreeBusyUrl(api_url_);
    spec.body = std::move(body.value());
    spec.content_type = "application/json";
    auto response = Call(std::move(spec));
    if (!response.ok()) return response.status();
    auto parsed = ParseFreeBusyResponse(response->body);
    if (!parsed.ok()) return parsed.status();
    std::vector<UserBusy> out;
    out.reserve(parsed->size());
    for (FreeBusyCalendar& calendar : parsed.value()) {
      UserBusy busy;
      busy.address = std::move(calendar.id);
      for (char& c : busy.address) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      busy.busy = std::move(calendar.busy);
      for (const std::string& e : calendar.errors) busy.error += (busy.error.empty() ? "" : ", ") + e;
      out.push_back(std::move(busy));
    }
    return out;
  }

 private:
  Result<http::Response> Call(CallSpec spec) {
    std::promise<Result<http::Response>> promise;
    auto future = promise.get_future();
    caller_.Call(std::move(spec), [&promise](Result<http::Response> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  GmailCaller& caller_;
  std::string api_url_;
};

}  // namespace

std::unique_ptr<CalendarSource> MakeGoogleCalendarSource(GmailCaller& caller, std::string api_url) {
  return std::make_unique<GoogleCalendarSource>(caller, std::move(api_url));
}

}  // namespace crmsync::gmail::detail

// Google Calendar request URLs and the freeBusy body.
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "crmsync/gmail/calendar.hpp"
#include "crmsync/json/escape.hpp"

namespace crmsync::gmail {
namespace {

std::string Escape(std::string_view text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

}  // namespace

std::string CalendarEventsUrl(std::string_view api_url, std::string_view time_min, std::string_view time_max,
                              std::string_view sync_token, std::string_view page_token, int page_size) {
  std::string url = fmt::format("{}/calendar/v3/calendars/primary/events?singleEvents=true&maxResults={}", api_url,
                                std::clamp(page_size, 1, kMaxEventsPageSize));
  if (sync_token.empty()) {
    if (!time_min.empty()) url += "&timeMin=" + Escape(time_min);
    if (!time_max.empty()) url += "&timeMax=" + Escape(time_max);
  } else {
    url += "&syncToken=" + Escape(sync_token);
  }
  if (!page_token.empty()) url += "&pageToken=" + Escape(page_token);
  return url;
}

std::string FreeBusyUrl(std::string_view api_url) { return fmt::format("{}/calendar/v3/freeBusy", api_url); }

Result<std::string> BuildFreeBusyBody(std::span<const std::string> calendar_ids, std::string_view time_min,
                                      std::string_view time_max) {
  if (calendar_ids.empty()) return Status::InvalidArgument("freeBusy items: no calendar ids");
  if (Rfc3339ToUtc(time_min).empty()) {
    return Status::InvalidArgument(fmt::format("freeBusy timeMin: '{}' is not RFC 3339", time_min.substr(0, 40)));
  }
  if (Rfc3339ToUtc(time_max).empty()) {
    return Status::InvalidArgument(fmt::format("freeBusy timeMax: '{}' is not RFC 3339", time_max.substr(0, 40)));
  }
  std::string body = R"({"timeMin":)";
  json::AppendJsonString(body, time_min);
  body += R"(,"timeMax":)";
  json::AppendJsonString(body, time_max);
  body += R"(,"items":[)";
  for (std::size_t i = 0; i < calendar_ids.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += R"({"id":)";
    json::AppendJsonString(body, calendar_ids[i]);
    body.push_back('}');
  }
  body += "]}";
  return body;
}

}  // namespace crmsync::gmail

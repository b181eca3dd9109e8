// URL building for the Gmail and Directory APIs (API-FACTS §3, §7).
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "crmsync/gmail/gmail.hpp"

namespace crmsync::gmail {
namespace {

// RFC 3986 percent-encoding of one path segment or query value.
std::string Escape(std::string_view text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

std::string UserRoot(std::string_view api_url, std::string_view user) {
  return fmt::format("{}/gmail/v1/users/{}", api_url, Escape(user));
}

}  // namespace

std::string MessagesListUrl(std::string_view api_url, std::string_view user, std::string_view since_date,
                            int page_size, std::string_view page_token) {
  std::string url =
      fmt::format("{}/messages?maxResults={}", UserRoot(api_url, user), std::clamp(page_size, 1, kMaxListPageSize));
  // Chats are not mail; without a date the whole mailbox is the window.
  const std::string q = since_date.empty() ? std::string("-in:chats")
                                           : fmt::format("after:{} -in:chats", since_date);
  url += "&q=" + Escape(q);
  if (!page_token.empty()) url += "&pageToken=" + Escape(page_token);
  return url;
}

std::string MessagesWindowUrl(std::string_view api_url, std::string_view user, std::int64_t since_unix,
                              std::int64_t until_unix, int page_size, std::string_view page_token) {
  std::string url =
      fmt::format("{}/messages?maxResults={}", UserRoot(api_url, user), std::clamp(page_size, 1, kMaxListPageSize));
  url += "&q=" + Escape(fmt::format("after:{} before:{} -in:chats", since_unix, until_unix));
  if (!page_token.empty()) url += "&pageToken=" + Escape(page_token);
  return url;
}

std::string HistoryListUrl(std::string_view api_url, std::string_view user, std::string_view start_history_id,
                           int page_size, std::string_view page_token) {
  std::string url = fmt::format("{}/history?startHistoryId={}&historyTypes=messageAdded&maxResults={}",
                                UserRoot(api_url, user), Escape(start_history_id),
                                std::clamp(page_size, 1, kMaxListPageSize));
  if (!page_token.empty()) url += "&pageToken=" + Escape(page_token);
  return url;
}

std::string ProfileUrl(std::string_view api_url, std::string_view user) {
  return UserRoot(api_url, user) + "/profile";
}

std::string SendAsUrl(std::string_view api_url, std::string_view user) {
  return UserRoot(api_url, user) + "/settings/sendAs";
}

std::string MessageMetadataPath(std::string_view user, std::string_view id) {
  std::string path = fmt::format("/gmail/v1/users/{}/messages/{}?format=metadata", Escape(user), Escape(id));
  for (std::string_view header : kMetadataHeaders) path += "&metadataHeaders=" + Escape(header);
  return path;
}

std::string DirectoryUsersUrl(std::string_view directory_url, std::string_view customer,
                              std::string_view page_token) {
  std::string url =
      fmt::format("{}/admin/directory/v1/users?customer={}&maxResults=500", directory_url, Escape(customer));
  if (!page_token.empty()) url += "&pageToken=" + Escape(page_token);
  return url;
}

std::string DirectoryGroupMembersUrl(std::string_view directory_url, std::string_view group_key,
                                     std::string_view page_token) {
  std::string url = fmt::format("{}/admin/directory/v1/groups/{}/members?includeDerivedMembership=true&maxResults=200",
                                directory_url, Escape(group_key));
  if (!page_token.empty()) url += "&pageToken=" + Escape(page_token);
  return url;
}

std::string LabelsUrl(std::string_view api_url, std::string_view user) { return UserRoot(api_url, user) + "/labels"; }

std::string BatchUrl(std::string_view api_url) { return fmt::format("{}/batch/gmail/v1", api_url); }

}  // namespace crmsync::gmail

// Graph URL building. Only initial URLs are built here: nextLink/deltaLink
// are followed exactly as Graph returned them (API-FACTS.md §1.1).
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "crmsync/graph/graph.hpp"

namespace crmsync::graph {
namespace {

constexpr std::string_view kApiVersion = "v1.0";
constexpr int kMaxUsersPageSize = 999;  // Graph's $top limit for directory objects
constexpr int kMaxMessagesPageSize = 1000;   // Graph's $top limit for messages
constexpr std::string_view kUsersSelect =
    "id,userPrincipalName,mail,proxyAddresses,accountEnabled";
constexpr std::string_view kGroupMembersSelect = "id,mail,userPrincipalName";
constexpr std::string_view kDeltaSelect =
    "id,internetMessageId,subject,body,sentDateTime,receivedDateTime,from,toRecipients,"
    "ccRecipients,bccRecipients,isDraft,categories,internetMessageHeaders";

std::string_view TrimTrailingSlash(std::string_view origin) {
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  return origin;
}

// RFC 3986 path segment: curl escapes everything but unreserved characters;
// '@' is legal in a segment and Graph documents UPNs unescaped, so keep it.
std::string EncodePathSegment(std::string_view segment) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, segment.data(), static_cast<int>(segment.size())), &curl_free);
  if (!escaped) return {};
  std::string out;
  for (std::string_view rest(escaped.get()); !rest.empty();) {
    if (rest.substr(0, 3) == "%40") {
      out.push_back('@');
      rest.remove_prefix(3);
    } else {
      out.push_back(rest.front());
      rest.remove_prefix(1);
    }
  }
  return out;
}

}  // namespace

std::string UsersUrl(std::string_view graph_url, int page_size) {
  page_size = std::clamp(page_size, 1, kMaxUsersPageSize);
  return fmt::format("{}/{}/users?$select={}&$top={}", TrimTrailingSlash(graph_url), kApiVersion,
                     kUsersSelect, page_size);
}

std::string SignedInUserUrl(std::string_view graph_url) {
  return fmt::format("{}/{}/me?$select={}", TrimTrailingSlash(graph_url), kApiVersion, kUsersSelect);
}

std::string GroupsByMailUrl(std::string_view graph_url, std::string_view mail) {
  // OData string literals double their single quotes.
  std::string literal;
  for (char c : mail) {
    if (c == '\'') literal.push_back('\'');
    literal.push_back(c);
  }
  const std::string filter = fmt::format("mail eq '{}'", literal);
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, filter.data(), static_cast<int>(filter.size())), &curl_free);
  return fmt::format("{}/{}/groups?$filter={}&$select=id,mail", TrimTrailingSlash(graph_url), kApiVersion,
                     escaped ? escaped.get() : "");
}

std::string GroupMembersUrl(std::string_view graph_url, std::string_view group_id, int page_size) {
  page_size = std::clamp(page_size, 1, kMaxUsersPageSize);
  return fmt::format("{}/{}/groups/{}/transitiveMembers/microsoft.graph.user?$select={}&$top={}",
                     TrimTrailingSlash(graph_url), kApiVersion, EncodePathSegment(group_id),
                     kGroupMembersSelect, page_size);
}

std::string FolderDisplayName(std::string_view well_known) {
  if (well_known == "inbox") return "Inbox";
  if (well_known == "sentitems") return "Sent Items";
  if (well_known == "drafts") return "Drafts";
  if (well_known == "deleteditems") return "Deleted Items";
  if (well_known == "junkemail") return "Junk Email";
  if (well_known == "archive") return "Archive";
  return std::string(well_known);
}

std::string InitialMailDeltaUrl(std::string_view graph_url, std::string_view user_id,
                                std::string_view folder) {
  return fmt::format("{}/{}/users/{}/mailFolders/{}/messages/delta?$select={}",
                     TrimTrailingSlash(graph_url), kApiVersion, EncodePathSegment(user_id),
                     EncodePathSegment(folder), kDeltaSelect);
}

namespace {

std::string IsoUtc(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string EscapeQueryValue(std::string_view value) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size())), &curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

}  // namespace

std::string MailWindowUrl(std::string_view graph_url, std::string_view user_id, std::string_view folder,
                          std::int64_t since_unix, std::int64_t until_unix, int page_size) {
  const std::string filter = fmt::format("receivedDateTime ge {} and receivedDateTime lt {}", IsoUtc(since_unix),
                                         IsoUtc(until_unix));
  return fmt::format("{}/{}/users/{}/mailFolders/{}/messages?$filter={}&$orderby=receivedDateTime&$select={}&$top={}",
                     TrimTrailingSlash(graph_url), kApiVersion, EncodePathSegment(user_id), EncodePathSegment(folder),
                     EscapeQueryValue(filter), kDeltaSelect, std::clamp(page_size, 1, kMaxMessagesPageSize));
}

}  // namespace crmsync::graph

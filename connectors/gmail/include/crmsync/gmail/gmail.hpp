// Gmail API v1 and the Admin SDK Directory API (API-FACTS.md §3, §7): URL
// building and page parsers. Pure functions; the asynchronous source is in
// mail_source.hpp. Parsers take the body as received; malformed input gives
// kCorruption naming the field; they never throw and never crash.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::gmail {

// Headers asked for with format=metadata, in this order.
inline constexpr std::string_view kMetadataHeaders[] = {
    "From", "To", "Cc", "Bcc", "Date", "Message-ID", "Subject", "List-Unsubscribe", "Precedence", "Auto-Submitted"};
inline constexpr int kMaxListPageSize = 500;

// --- URLs (origins without a trailing slash; user is an address or "me") ---

// {api}/gmail/v1/users/{user}/messages?maxResults=N[&q=after:YYYY/MM/DD -in:chats][&pageToken=T]
// `since_date` is YYYY/MM/DD or empty (no date bound); page_size is clamped to 1..500.
std::string MessagesListUrl(std::string_view api_url, std::string_view user, std::string_view since_date,
                            int page_size, std::string_view page_token);
// {api}/gmail/v1/users/{user}/messages?maxResults=N&q=after:S before:U -in:chats[&pageToken=T]
// with S and U in epoch seconds: the mail of [S, U) (backfill windows).
std::string MessagesWindowUrl(std::string_view api_url, std::string_view user, std::int64_t since_unix,
                              std::int64_t until_unix, int page_size, std::string_view page_token);
// {api}/gmail/v1/users/{user}/history?startHistoryId=H&historyTypes=messageAdded&maxResults=N[&pageToken=T]
std::string HistoryListUrl(std::string_view api_url, std::string_view user, std::string_view start_history_id,
                           int page_size, std::string_view page_token);
// {api}/gmail/v1/users/{user}/profile
std::string ProfileUrl(std::string_view api_url, std::string_view user);
// {api}/gmail/v1/users/{user}/settings/sendAs
std::string SendAsUrl(std::string_view api_url, std::string_view user);
// /gmail/v1/users/{user}/messages/{id}?format=metadata&metadataHeaders=From&... (path only: batch parts)
std::string MessageMetadataPath(std::string_view user, std::string_view id);
// {directory}/admin/directory/v1/users?customer=C&maxResults=500[&pageToken=T]
std::string DirectoryUsersUrl(std::string_view directory_url, std::string_view customer,
                              std::string_view page_token);
// {directory}/admin/directory/v1/groups/{groupKey}/members?includeDerivedMembership=true&maxResults=200[&pageToken=T]
// groupKey is the group's email address or id; nested groups' users included.
std::string DirectoryGroupMembersUrl(std::string_view directory_url, std::string_view group_key,
                                     std::string_view page_token);
// {api}/gmail/v1/users/{user}/labels
std::string LabelsUrl(std::string_view api_url, std::string_view user);
// {api}/batch/gmail/v1
std::string BatchUrl(std::string_view api_url);

// --- pages ---

struct ListPage {
  std::vector<std::string> ids;       // message ids; empty when "messages" is absent
  std::string next_page_token;        // empty on the last page
};
Result<ListPage> ParseListPage(std::string_view body);

struct HistoryPage {
  std::vector<std::string> ids;       // messagesAdded[].message.id, first occurrence order, no duplicates
  std::string next_page_token;
  std::string history_id;             // the mailbox's current historyId (required)
};
Result<HistoryPage> ParseHistoryPage(std::string_view body);

// users.getProfile -> historyId (required).
Result<std::string> ParseProfileHistoryId(std::string_view body);

struct DirectoryUser {
  std::string id;
  std::string primary_email;
  std::vector<std::string> aliases;   // Directory "aliases", as given
  bool suspended = false;
};
struct DirectoryUsersPage {
  std::vector<DirectoryUser> users;
  std::string next_page_token;
};
Result<DirectoryUsersPage> ParseDirectoryUsersPage(std::string_view body);

struct DirectoryMember {
  std::string id;       // the user's Directory id
  std::string email;
  std::string type;     // USER, GROUP, CUSTOMER
};
struct DirectoryMembersPage {
  std::vector<DirectoryMember> members;   // every type, as given
  std::string next_page_token;
};
Result<DirectoryMembersPage> ParseDirectoryMembersPage(std::string_view body);

// users.settings.sendAs.list -> every sendAsEmail.
Result<std::vector<std::string>> ParseSendAsList(std::string_view body);

// A message fetched with format=metadata.
struct GmailMessage {
  Message message;
  std::string history_id;
};
// id (required), labelIds -> labels (as ids: system labels are their own
// names, user labels "Label_N"; DRAFT -> is_draft), snippet -> body_text,
// internalDate (epoch ms string) -> sent_at ISO-8601 UTC, and
// payload.headers (names case-insensitive; List-Unsubscribe ->
// has_list_unsubscribe, Precedence, Auto-Submitted).
Result<GmailMessage> ParseMessageMetadata(std::string_view body);

// Label id -> display name of one mailbox ("Label_12" -> "CRM"; system
// labels map to themselves: "INBOX" -> "INBOX").
using LabelNames = std::unordered_map<std::string, std::string>;
// users.labels.list {"labels":[{"id","name",...}]}; a label without id is malformed.
Result<LabelNames> ParseLabelsList(std::string_view body);
// Replaces every label id of `message` that `names` knows by its name.
void ApplyLabelNames(const LabelNames& names, Message& message);

// --- RFC 5322 address lists ---

// "Name <a@b>, c@d, \"Last, First\" <e@f>" -> participants in order. Quoted
// names are unquoted, comments dropped, group syntax ("team: a@b, c@d;")
// flattened, entries without an address skipped. Encoded words (RFC 2047)
// are kept as they are. Never fails.
std::vector<Participant> ParseAddressList(std::string_view header_value);

// Epoch milliseconds ("1714557600000") -> "2024-05-01T10:00:00Z"; "" when not a number.
std::string EpochMillisToIso8601(std::string_view millis);

// Gmail/Google error body {"error":{"code","message","errors":[{"reason"}],"status"}}.
struct GoogleError {
  std::string message;
  std::vector<std::string> reasons;   // errors[].reason, e.g. rateLimitExceeded
  std::string status;                 // e.g. RESOURCE_EXHAUSTED
};
// Best effort: an unreadable body gives an empty GoogleError.
GoogleError ParseGoogleError(std::string_view body);

}  // namespace crmsync::gmail

// Microsoft Graph: users and mail delta (API-FACTS.md §1). Pure parsing and
// URL building here; the asynchronous client is in client.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/json/body.hpp"

namespace crmsync::graph {

struct GraphUser {
  std::string id;                     // directory object id (stable)
  std::string user_principal_name;
  std::string mail;                   // primary SMTP address, may be empty
  std::vector<std::string> aliases;   // every SMTP address from proxyAddresses, primary included, lower-case
  bool account_enabled = true;
};

struct UsersPage {
  std::vector<GraphUser> users;
  std::string next_link;              // empty on the last page
};

struct DeltaPage {
  std::vector<Message> messages;      // tombstones have removed = true
  std::string next_link;              // exactly one of next_link / delta_link is set
  std::string delta_link;
};

// Parsers take the body as received. Malformed input (bad JSON, wrong types,
// invalid UTF-8, missing both links) gives kCorruption with a message naming
// the field; they never throw and never crash.
// Also reads any page of directory objects with id/mail/userPrincipalName:
// group members (transitiveMembers/microsoft.graph.user) and the groups
// found by GroupsByMailUrl.
// A body with padding to spare (json::Body) is parsed in place, without a copy.
Result<UsersPage> ParseUsersPage(json::Body body);
// One user object (GET /me), read like an element of a users page.
Result<GraphUser> ParseUser(std::string_view body);
// `folder` (a display name such as "Inbox") goes to every message's folder.
// internetMessageHeaders fill the bulk / automatic-reply facts. A
// std::string body with simdjson's padding in its spare capacity (a
// transport response's) is parsed in place, anything else from a copy.
Result<DeltaPage> ParseDeltaPage(json::Body body, std::string_view folder = {});
// A page of a plain message listing (MailWindowUrl and its nextLinks): the
// same messages as delta, next_link set unless it is the last page, never a
// delta_link (one is kCorruption).
Result<DeltaPage> ParseMessagesPage(json::Body body, std::string_view folder = {});

// {graph_url}/v1.0/users?$select=id,userPrincipalName,mail,proxyAddresses,accountEnabled&$top=N
std::string UsersUrl(std::string_view graph_url, int page_size);
// {graph_url}/v1.0/me?$select=id,userPrincipalName,mail,proxyAddresses,accountEnabled:
// the signed-in user of a delegated token.
std::string SignedInUserUrl(std::string_view graph_url);
// {graph_url}/v1.0/groups?$filter=mail eq '{mail}'&$select=id,mail (a group
// given by its address resolves to its object id).
std::string GroupsByMailUrl(std::string_view graph_url, std::string_view mail);
// {graph_url}/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user?$select=id,mail,userPrincipalName&$top=N:
// the users of a group and of every group nested in it.
std::string GroupMembersUrl(std::string_view graph_url, std::string_view group_id, int page_size);
// {graph_url}/v1.0/users/{id}/mailFolders/{folder}/messages/delta?$select=...
// folder is a well-known name: "inbox" or "sentitems".
// The English display name of a well-known folder ("inbox" -> "Inbox",
// "sentitems" -> "Sent Items"); other names unchanged.
std::string FolderDisplayName(std::string_view well_known);
std::string InitialMailDeltaUrl(std::string_view graph_url, std::string_view user_id,
                                std::string_view folder);
// {graph_url}/v1.0/users/{id}/mailFolders/{folder}/messages?$filter=receivedDateTime ge {since} and
// receivedDateTime lt {until}&$orderby=receivedDateTime&$select=<as delta>&$top=N: the mail a
// backfill reads, [since, until) in Unix seconds, as ISO 8601 UTC.
std::string MailWindowUrl(std::string_view graph_url, std::string_view user_id, std::string_view folder,
                          std::int64_t since_unix, std::int64_t until_unix, int page_size);

}  // namespace crmsync::graph

// Mail folders named by display name (selective capture, README "Capture
// rules"): the top-level folders of a mailbox are listed with
// GET /users/{id}/mailFolders, the one whose displayName matches (ASCII case
// ignored) is then read with mail delta like Inbox. Pure parsing and URL
// building; GraphMailSource drives it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::graph {

struct MailFolder {
  std::string id;
  std::string display_name;
};

struct MailFoldersPage {
  std::vector<MailFolder> folders;
  std::string next_link;   // empty on the last page
};

// {graph_url}/v1.0/users/{id}/mailFolders?$select=id,displayName&$top=100:
// the top-level folders (children of the message folder root), not their
// child folders.
std::string MailFoldersUrl(std::string_view graph_url, std::string_view user_id);
// Whether `url` lists folders (its path ends in /mailFolders) rather than
// reading one (…/mailFolders/{id}/messages/delta).
bool IsMailFoldersUrl(std::string_view url);
// A page of GET …/mailFolders. Malformed input (bad JSON, wrong types,
// invalid UTF-8, a folder without id) is kCorruption naming the field.
Result<MailFoldersPage> ParseMailFoldersPage(std::string_view body);
// The folder of `page` named `display_name` (ASCII case ignored); nullptr if none.
const MailFolder* FindFolderByName(const MailFoldersPage& page, std::string_view display_name);

}  // namespace crmsync::graph

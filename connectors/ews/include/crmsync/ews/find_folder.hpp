// Mail folders named by display name on EWS (selective capture by folder):
// FindFolder (Shallow, under msgfolderroot) lists the top-level folders; the
// one whose DisplayName matches (ASCII case ignored) is then followed with
// SyncFolderItems by its FolderId.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::ews {

struct EwsFolder {
  std::string id;             // FolderId Id (base64)
  std::string display_name;
};

// FindFolder, Traversal Shallow, IdOnly + DisplayName, under msgfolderroot,
// as `impersonated_smtp`.
std::string BuildFindFolder(std::string_view impersonated_smtp);
// The folders of a FindFolder response. A SOAP body without the response,
// an Error response (classified like other EWS errors) or a folder without
// an Id is an error; never throws.
Result<std::vector<EwsFolder>> ParseFindFolderResponse(std::string_view body);
// The folder named `display_name` (ASCII case ignored); nullptr if none.
const EwsFolder* FindEwsFolderByName(const std::vector<EwsFolder>& folders, std::string_view display_name);

}  // namespace crmsync::ews

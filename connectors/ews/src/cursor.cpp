#include "cursor.hpp"

#include <fmt/format.h>

namespace crmsync::ews::detail {
namespace {

constexpr std::string_view kPrefix = "ews1:";

bool IsBase64(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string EncodeCursor(const Cursor& cursor) { return fmt::format("{}{}:{}", kPrefix, cursor.folder, cursor.sync_state); }

Result<Cursor> DecodeCursor(std::string_view text) {
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return Status::Gone("EWS cursor is not one this connector wrote (no ews1: prefix)");
  }
  text.remove_prefix(kPrefix.size());
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return Status::Gone("EWS cursor has no folder");
  Cursor out{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  const bool by_id = out.folder.size() > kFolderIdPrefix.size() &&
                     std::string_view(out.folder).substr(0, kFolderIdPrefix.size()) == kFolderIdPrefix &&
                     IsBase64(std::string_view(out.folder).substr(kFolderIdPrefix.size()));
  if (out.folder != "inbox" && out.folder != "sentitems" && out.folder != kFindFolder && !by_id) {
    return Status::Gone(fmt::format("EWS cursor names folder \"{}\", not inbox, sentitems, {} or {}<FolderId>",
                                    out.folder, kFindFolder, kFolderIdPrefix));
  }
  if (!IsBase64(out.sync_state)) return Status::Gone("EWS cursor's SyncState is not base64");
  return out;
}

std::string_view FolderDisplayName(std::string_view folder) {
  return folder == "sentitems" ? "Sent Items" : "Inbox";
}

}  // namespace crmsync::ews::detail

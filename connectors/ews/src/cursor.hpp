// The opaque cursor of an EWS stream: "ews1:<folder>:<SyncState>", with an
// empty SyncState before the first sync of the folder. SyncState is EWS's own
// base64 token, stored as given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"

namespace crmsync::ews::detail {

// A folder stream of selective capture (README "Capture rules") starts at
// folder "find" (FindFolder for its display name), then follows
// "id.<FolderId>".
inline constexpr std::string_view kFindFolder = "find";
inline constexpr std::string_view kFolderIdPrefix = "id.";

struct Cursor {
  std::string folder;       // "inbox", "sentitems", kFindFolder or kFolderIdPrefix + FolderId
  std::string sync_state;   // empty: first sync
};

// A backfill window's cursor: "ews1w:<folder>:<since>:<until>:<offset>",
// FindItem from `offset` over DateTimeReceived in [since, until).
struct WindowCursor {
  std::string folder;
  std::int64_t since = 0, until = 0;
  std::int64_t offset = 0;
};

bool IsWindowCursor(std::string_view text);
std::string EncodeWindowCursor(const WindowCursor& cursor);
// kCorruption naming the part at fault.
Result<WindowCursor> DecodeWindowCursor(std::string_view text);

std::string EncodeCursor(const Cursor& cursor);
// kGone for a cursor this connector did not write (the stream restarts).
Result<Cursor> DecodeCursor(std::string_view text);
// "inbox" → "Inbox", "sentitems" → "Sent Items".
std::string_view FolderDisplayName(std::string_view folder);

}  // namespace crmsync::ews::detail

#include "cursor.hpp"

#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace crmsync::ews::detail {
namespace {

constexpr std::string_view kPrefix = "ews1:";
constexpr std::string_view kWindowPrefix = "ews1w:";

std::optional<std::int64_t> ParseNumber(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

bool IsBase64(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsWindowCursor(std::string_view text) { return text.substr(0, kWindowPrefix.size()) == kWindowPrefix; }

std::string EncodeWindowCursor(const WindowCursor& c) {
  return fmt::format("{}{}:{}:{}:{}", kWindowPrefix, c.folder, c.since, c.until, c.offset);
}

Result<WindowCursor> DecodeWindowCursor(std::string_view text) {
  if (!IsWindowCursor(text)) return Status::Corruption("EWS window cursor has no ews1w: prefix");
  text.remove_prefix(kWindowPrefix.size());
  std::vector<std::string_view> parts;
  for (std::size_t colon; (colon = text.find(':')) != std::string_view::npos; text.remove_prefix(colon + 1)) {
    parts.push_back(text.substr(0, colon));
  }
  parts.push_back(text);
  if (parts.size() != 4) return Status::Corruption("EWS window cursor: expected folder:since:until:offset");
  WindowCursor out;
  out.folder = parts[0];
  if (out.folder != "inbox" && out.folder != "sentitems") {
    return Status::Corruption(fmt::format("EWS window cursor names folder \"{}\", not inbox or sentitems", out.folder));
  }
  const auto since = ParseNumber(parts[1]), until = ParseNumber(parts[2]), offset = ParseNumber(parts[3]);
  if (!since || !until || !offset || *since >= *until) {
    return Status::Corruption("EWS window cursor: since, until and offset must be numbers with since < until");
  }
  out.since = *since;
  out.until = *until;
  out.offset = *offset;
  return out;
}

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

#include "crmsync/core/capture_folders.hpp"

#include <algorithm>

namespace crmsync {
namespace {

constexpr std::string_view kFolderStreamPrefix = "mail/folder/";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

}  // namespace

void CaptureFolders::Set(const std::vector<std::string>& display_names) {
  names_.clear();
  for (const std::string& name : display_names) {
    const std::string lower = Lower(name);
    // Inbox and Sent Items are read anyway; a name given twice is one stream.
    if (lower.empty() || lower == "inbox" || lower == "sent items") continue;
    const bool seen = std::any_of(names_.begin(), names_.end(),
                                  [&lower](const std::string& kept) { return Lower(kept) == lower; });
    if (!seen) names_.push_back(name);
  }
}

std::string CaptureFolders::Of(std::string_view stream) const {
  if (stream.substr(0, kFolderStreamPrefix.size()) != kFolderStreamPrefix) return {};
  const std::string lower(stream.substr(kFolderStreamPrefix.size()));
  for (const std::string& name : names_) {
    if (Lower(name) == lower) return name;
  }
  return {};
}

std::vector<std::string> CaptureFolders::StreamKinds() const {
  std::vector<std::string> kinds{"mail/inbox", "mail/sentitems"};
  for (const std::string& name : names_) kinds.push_back(std::string(kFolderStreamPrefix) + Lower(name));
  return kinds;
}

}  // namespace crmsync

// Selective capture's extra folders (capture.folders) for the mail sources
// that read folders (Graph, EWS): each configured name other than Inbox and
// Sent Items (case-insensitive, repeats ignored) becomes one stream,
// "mail/folder/<lower-case name>", read besides Inbox and Sent Items.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmsync {

class CaptureFolders {
 public:
  void Set(const std::vector<std::string>& display_names);
  // The configured spelling of the folder of `stream`; "" when `stream` is
  // not one of these folders' streams.
  std::string Of(std::string_view stream) const;
  // "mail/inbox", "mail/sentitems", then one stream per folder.
  std::vector<std::string> StreamKinds() const;

 private:
  std::vector<std::string> names_;   // display names as configured
};

}  // namespace crmsync

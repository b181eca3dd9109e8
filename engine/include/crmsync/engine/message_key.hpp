// The dedup key of an email: its normalized Internet Message-ID. The same
// email seen in several mailboxes of one tenant has one key, and so one
// Salesforce record (Crmsync_Key__c).
#pragma once

#include <string>
#include <string_view>

namespace crmsync::engine {

// Salesforce text external-ID fields hold at most 255 characters.
inline constexpr std::size_t kMaxKeyLength = 255;

// Trims whitespace, removes one pair of surrounding angle brackets and
// lower-cases ASCII letters (Salesforce external ids compare
// case-insensitively, so two ids differing only in case must not become two
// records). Ids that are longer than kMaxKeyLength or contain bytes outside
// printable ASCII become "sha256:" + 64 hex digits of the normalized text, so
// every key fits the field and stays deterministic. Empty input gives "".
std::string NormalizeMessageId(std::string_view raw);

}  // namespace crmsync::engine

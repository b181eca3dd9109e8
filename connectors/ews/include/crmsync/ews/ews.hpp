// Exchange Web Services with impersonation (API-FACTS.md §2): the SOAP
// requests crmsync sends and the parsers of their responses. Pure functions:
// no I/O here (the client is ews_client.hpp). Parsers are namespace-aware
// (libxml2, element local name + namespace URI), never throw and never crash:
// malformed, truncated or oversized XML and invalid UTF-8 give kCorruption
// with a message naming the element at fault.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::ews {

inline constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kTypesNs = "http://schemas.microsoft.com/exchange/services/2006/types";
inline constexpr std::string_view kMessagesNs = "http://schemas.microsoft.com/exchange/services/2006/messages";
inline constexpr std::string_view kErrorsNs = "http://schemas.microsoft.com/exchange/services/2006/errors";
// The highest version the EWS Managed API knows; Exchange Online accepts it.
inline constexpr std::string_view kRequestServerVersion = "Exchange2013_SP1";
// SyncFolderItems refuses more (API-FACTS.md §2.3).
inline constexpr int kMaxChangesReturned = 512;
// Responses beyond this are refused before parsing.
inline constexpr std::size_t kMaxResponseBytes = 64u << 20;

// Text escaped for an XML element or attribute value. CR becomes &#13; so it
// survives line-end normalization; characters XML 1.0 forbids (C0 controls
// other than tab, LF, CR) are dropped.
std::string XmlEscape(std::string_view text);

// --- requests -------------------------------------------------------------

// SyncFolderItems on a distinguished folder ("inbox", "sentitems"), or on
// "id.<FolderId>" (a folder FindFolder found), of the
// mailbox `impersonated_smtp`, IdOnly shape. An empty `sync_state` starts a
// full sync. `max_changes` is clamped to 1..512.
std::string BuildSyncFolderItems(std::string_view impersonated_smtp, std::string_view folder,
                                 std::string_view sync_state, int max_changes);

// GetItem of `item_ids` with the properties a Message needs (body as text).
// `with_headers` adds item:InternetMessageHeaders (Auto-Submitted, Precedence,
// List-Unsubscribe).
std::string BuildGetItem(std::string_view impersonated_smtp, const std::vector<std::string>& item_ids,
                         bool with_headers);

// FindItem (Shallow, IdOnly) on a distinguished folder of `impersonated_smtp`:
// the items whose item:DateTimeReceived is in [since_unix, until_unix)
// (Restriction: And of IsGreaterThanOrEqualTo and IsLessThan), sorted by
// DateTimeReceived ascending, one IndexedPageItemView page from `offset`
// (BasePoint Beginning). `max_entries` is clamped to 1..kMaxFindItemEntries.
std::string BuildFindItemWindow(std::string_view impersonated_smtp, std::string_view folder, std::int64_t since_unix,
                                std::int64_t until_unix, std::int64_t offset, int max_entries);
inline constexpr int kMaxFindItemEntries = 1000;

// --- responses ------------------------------------------------------------

enum class ChangeKind { kCreate, kUpdate, kDelete, kReadFlagChange };

struct SyncChange {
  ChangeKind kind = ChangeKind::kCreate;
  std::string item_id;
  std::string change_key;
};

struct SyncFolderItemsResult {
  std::string sync_state;            // base64, for the next call
  bool includes_last_item = false;   // false: call again with sync_state
  std::vector<SyncChange> changes;
};

// One page of FindItem (IndexedPageItemView).
struct FindItemResult {
  std::vector<std::string> item_ids;   // in view order
  std::int64_t next_offset = 0;        // RootFolder IndexedPagingOffset: where the next page starts
  bool includes_last_item = false;     // RootFolder IncludesLastItemInRange
};

// One GetItem response message, in request order.
struct FetchedItem {
  std::string requested_id;   // empty when the response omitted it
  bool found = false;         // false: ErrorItemNotFound (deleted since the sync)
  Message message;
};

// A SOAP fault or an error ResponseMessage, classified:
// ErrorServerBusy → kThrottled (retry_after = BackOffMilliseconds when given);
// ErrorInvalidSyncStateData → kGone; ErrorInternalServerError, ErrorTimeoutExpired
// → kTransient; the rest → kPermanent. Messages carry the EWS code and text.
Status ClassifyEwsError(std::string_view response_code, std::string_view message_text,
                        std::optional<std::chrono::milliseconds> back_off);

Result<SyncFolderItemsResult> ParseSyncFolderItemsResponse(std::string_view body);
Result<FindItemResult> ParseFindItemResponse(std::string_view body);
// `ids` are the ids requested, in order; the response must answer each one.
Result<std::vector<FetchedItem>> ParseGetItemResponse(std::string_view body, const std::vector<std::string>& ids);
// The Status of an HTTP error response carrying a SOAP fault (HTTP 500).
// A body that is no SOAP fault gives kTransient naming the HTTP status.
Status ParseSoapFault(long http_status, std::string_view body);

}  // namespace crmsync::ews

// Gmail batch requests (multipart/mixed at {api}/batch/gmail/v1, API-FACTS
// §7): building the request and parsing the answer. The parser reads
// untrusted input and is fuzzed (tests/fuzz/gmail_batch_fuzzer.cpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::gmail {

inline constexpr std::size_t kMaxBatchParts = 100;

struct BatchRequestPart {
  std::string content_id;  // e.g. "item-3", sent as Content-ID: <item-3>
  std::string path;        // "GET" target, e.g. MessageMetadataPath(...)
};

// The multipart/mixed body; send it with
// "Content-Type: multipart/mixed; boundary=<boundary>". kInvalidArgument for
// an empty batch, more than kMaxBatchParts parts, or a boundary that is empty,
// longer than 70 characters or occurs in a part.
Result<std::string> BuildBatchRequest(std::string_view boundary, const std::vector<BatchRequestPart>& parts);

struct BatchResponsePart {
  std::string content_id;  // with "<", ">" and the "response-" prefix removed
  long status = 0;         // inner HTTP status
  std::vector<std::pair<std::string, std::string>> headers;  // inner headers, names lower-cased
  std::string body;
};

// Parses the answer: `content_type` is the outer Content-Type header
// (multipart/mixed; boundary=... possibly quoted), lines end in CRLF or bare
// LF. kCorruption for a missing boundary, a missing closing delimiter, a part
// without a status line, or no parts at all. Never throws.
Result<std::vector<BatchResponsePart>> ParseBatchResponse(std::string_view content_type, std::string_view body);

}  // namespace crmsync::gmail

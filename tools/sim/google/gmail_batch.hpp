// Gmail's batch wire format (API-FACTS.md §3.5, §7): a multipart/mixed body
// of application/http parts, each a path-only HTTP request; the answer is
// multipart/mixed with one application/http part per call. CRLF or bare LF
// line ends and quoted boundaries are accepted.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"
#include "http_server.hpp"

namespace crmsync::sim::google {

inline constexpr std::size_t kMaxBatchParts = 100;

struct BatchPart {
  std::string content_id;   // without angle brackets; may be empty
  HttpRequest request;      // path, raw_query, query, lower-case headers, body
};

// The boundary parameter of a multipart Content-Type (quotes removed).
Result<std::string> MultipartBoundary(std::string_view content_type);
Result<std::vector<BatchPart>> ParseBatch(std::string_view content_type, std::string_view body);

// The multipart/mixed answer; `boundary` must not occur in the bodies.
std::string RenderBatchResponse(const std::string& boundary,
                                const std::vector<std::pair<std::string, HttpResponse>>& answers);

}  // namespace crmsync::sim::google

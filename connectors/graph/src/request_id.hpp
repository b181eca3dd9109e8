// client-request-id for Graph calls (retry timing is crmsync/http/retry.hpp).
#pragma once

#include <string>

namespace crmsync::graph::detail {

// Random RFC 4122 version-4 UUID for client-request-id (correlation only).
std::string NewRequestId();

}  // namespace crmsync::graph::detail

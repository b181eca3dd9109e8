#include "crmsync/core/status.hpp"

namespace crmsync {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kCorruption: return "CORRUPTION";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kUnauthorized: return "UNAUTHORIZED";
    case StatusCode::kThrottled: return "THROTTLED";
    case StatusCode::kTransient: return "TRANSIENT";
    case StatusCode::kPermanent: return "PERMANENT";
    case StatusCode::kTls: return "TLS";
    case StatusCode::kIo: return "IO";
    case StatusCode::kGone: return "GONE";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace crmsync

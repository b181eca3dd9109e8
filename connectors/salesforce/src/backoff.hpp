// Retry timing for Salesforce, which never sends Retry-After: exponential
// backoff with full jitter.
#pragma once

#include <chrono>

namespace crmsync::salesforce::detail {

inline constexpr std::chrono::milliseconds kBackoffBase{500};
inline constexpr std::chrono::milliseconds kBackoffCap{30000};

// Uniform in [0, min(cap, base * 2^(retry-1))]; retry >= 1.
std::chrono::milliseconds BackoffDelay(int retry);

}  // namespace crmsync::salesforce::detail

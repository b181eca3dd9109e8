// Retry timing shared by the Graph client: Retry-After when the service
// gives one, otherwise exponential backoff with full jitter.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::graph::detail {

inline constexpr std::chrono::milliseconds kBackoffBase{500};
inline constexpr std::chrono::milliseconds kBackoffCap{30000};
// A Retry-After beyond this is clamped: a run should not stall for hours on
// one header, and the engine re-schedules throttled streams anyway.
inline constexpr std::chrono::milliseconds kMaxRetryAfter{600000};

// Seconds, possibly fractional ("2.128"), surrounding blanks allowed. An
// HTTP-date or garbage yields nullopt (the caller falls back to backoff).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view header);

// Full jitter: uniform in [0, min(cap, base * 2^(retry-1))]; retry >= 1.
std::chrono::milliseconds BackoffDelay(int retry);

// Random RFC 4122 version-4 UUID for client-request-id (correlation only).
std::string NewRequestId();

}  // namespace crmsync::graph::detail

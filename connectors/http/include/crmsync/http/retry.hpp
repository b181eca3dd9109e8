// Retry timing shared by the connector clients: Retry-After when the service
// gives one, otherwise exponential backoff with full jitter; bounded attempts.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "crmsync/core/status.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::http {

inline constexpr std::chrono::milliseconds kBackoffBase{500};
inline constexpr std::chrono::milliseconds kBackoffCap{30000};
// A Retry-After beyond this is clamped: a run should not stall for hours on
// one header, and the engine re-schedules throttled streams anyway.
inline constexpr std::chrono::milliseconds kMaxRetryAfter{600000};

// Seconds, possibly fractional ("2.128"), surrounding blanks allowed. An
// HTTP-date or garbage yields nullopt (the caller falls back to backoff).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view header);

// Full jitter: uniform in [0, min(cap, base * 2^(retry-1))]; retry >= 1.
// base and cap are kBackoffBase / kBackoffCap unless SetBackoffPolicy
// changed them.
std::chrono::milliseconds BackoffDelay(int retry);

// Process-wide backoff base and cap ([engine] retry_base_ms / retry_cap_ms):
// one engine per process, and every client of it backs off alike. base >= 1,
// cap >= base; thread-safe.
void SetBackoffPolicy(std::chrono::milliseconds base, std::chrono::milliseconds cap);

// After attempt `attempt` (1-based) failed retryably: nullopt when it was the
// last of `max_attempts` (finish with RetriesExhausted). Otherwise advances
// `attempt` to the next one and returns its delay: `retry_after` when given,
// else BackoffDelay(number of the failed attempt).
std::optional<std::chrono::milliseconds> NextRetryDelay(
    int& attempt, int max_attempts, std::optional<std::chrono::milliseconds> retry_after = {});

// A failed transfer (!response.transport_ok()) as a connector reports it:
// "<service> request failed: <error_message>", kTls for TLS failures,
// otherwise kTransient. `retry` is set for timeouts, resets and refused
// connections, which deserve another attempt; the rest are final.
struct TransportFailure {
  Status status;
  bool retry = false;
};
TransportFailure ClassifyTransportFailure(std::string_view service, const Response& response);

// `final_status` with " (after <attempts> attempts)" appended to its message;
// a kThrottled status keeps its retry_after.
Status RetriesExhausted(const Status& final_status, int attempts);

}  // namespace crmsync::http

#include "crmsync/http/retry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <random>
#include <string>

namespace crmsync::http {

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view header) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header.empty()) return std::nullopt;
  double seconds = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc() || end != header.data() + header.size() || !std::isfinite(seconds) ||
      seconds < 0) {
    return std::nullopt;
  }
  const double millis = std::min(seconds * 1000.0, static_cast<double>(kMaxRetryAfter.count()));
  return std::chrono::milliseconds(static_cast<long long>(std::llround(millis)));
}

namespace {
std::atomic<long long> backoff_base_ms{kBackoffBase.count()};
std::atomic<long long> backoff_cap_ms{kBackoffCap.count()};
}  // namespace

void SetBackoffPolicy(std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  const long long b = std::max<long long>(1, base.count());
  backoff_base_ms.store(b, std::memory_order_relaxed);
  backoff_cap_ms.store(std::max<long long>(b, cap.count()), std::memory_order_relaxed);
}

std::chrono::milliseconds BackoffDelay(int retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int shift = std::clamp(retry - 1, 0, 20);
  const long long ceiling = std::min<long long>(backoff_cap_ms.load(std::memory_order_relaxed),
                                                backoff_base_ms.load(std::memory_order_relaxed) << shift);
  std::uniform_int_distribution<long long> pick(0, ceiling);
  return std::chrono::milliseconds(pick(rng));
}

std::optional<std::chrono::milliseconds> NextRetryDelay(
    int& attempt, int max_attempts, std::optional<std::chrono::milliseconds> retry_after) {
  if (attempt >= max_attempts) return std::nullopt;
  const int retry = attempt;
  ++attempt;
  return retry_after ? *retry_after : BackoffDelay(retry);
}

TransportFailure ClassifyTransportFailure(std::string_view service, const Response& response) {
  std::string message = fmt::format("{} request failed: {}", service, response.error_message);
  switch (response.error) {
    case TransportError::kTls:
      return {Status::Tls(std::move(message)), false};
    case TransportError::kTimeout:
    case TransportError::kReset:
    case TransportError::kConnect:
      return {Status::Transient(std::move(message)), true};
    default:
      return {Status::Transient(std::move(message)), false};
  }
}

Status RetriesExhausted(const Status& final_status, int attempts) {
  std::string message = fmt::format("{} (after {} attempts)", final_status.message(), attempts);
  return final_status.code() == StatusCode::kThrottled
             ? Status::Throttled(std::move(message), final_status.retry_after())
             : Status(final_status.code(), std::move(message));
}

}  // namespace crmsync::http

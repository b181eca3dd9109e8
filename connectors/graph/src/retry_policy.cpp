#include "retry_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>

namespace crmsync::graph::detail {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

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

std::chrono::milliseconds BackoffDelay(int retry) {
  const int shift = std::clamp(retry - 1, 0, 20);
  const long long ceiling = std::min<long long>(kBackoffCap.count(), kBackoffBase.count() << shift);
  std::uniform_int_distribution<long long> pick(0, ceiling);
  return std::chrono::milliseconds(pick(Rng()));
}

std::string NewRequestId() {
  std::uniform_int_distribution<std::uint64_t> pick;
  std::uint64_t high = pick(Rng());
  std::uint64_t low = pick(Rng());
  high = (high & ~0xF000ULL) | 0x4000ULL;                 // version 4
  low = (low & ~(0xC0ULL << 56)) | (0x80ULL << 56);      // variant 10xx
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

}  // namespace crmsync::graph::detail

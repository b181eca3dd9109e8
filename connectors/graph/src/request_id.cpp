#include "request_id.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <random>

namespace crmsync::graph::detail {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::uint64_t> pick;
  std::uint64_t high = pick(rng);
  std::uint64_t low = pick(rng);
  high = (high & ~0xF000ULL) | 0x4000ULL;                 // version 4
  low = (low & ~(0xC0ULL << 56)) | (0x80ULL << 56);      // variant 10xx
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

}  // namespace crmsync::graph::detail

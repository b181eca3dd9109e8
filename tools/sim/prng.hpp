// Hash-based pseudo-randomness for the lazily generated corpus: every value is
// a pure function of its coordinates (seed, tenant, user, ...), so nothing has
// to be stored and any message can be regenerated on demand.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace crmsync::sim {

// splitmix64 finalizer (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Order-sensitive hash of a coordinate tuple.
constexpr std::uint64_t HashOf(std::initializer_list<std::uint64_t> parts) {
  std::uint64_t h = 0x6a09e667f3bcc908ULL;
  for (std::uint64_t p : parts) h = Mix64(h ^ Mix64(p));
  return h;
}

// A splitmix64 stream seeded by a coordinate hash.
class Rng {
 public:
  explicit constexpr Rng(std::uint64_t state) : state_(state) {}
  constexpr std::uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform-enough in [0, n) for the small n used here; n must be > 0.
  constexpr std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  // True with probability percent/100.
  constexpr bool Chance(unsigned percent) { return Below(100) < percent; }

 private:
  std::uint64_t state_;
};

// Distinct tags keep the streams of different kinds of values independent.
enum class Tag : std::uint64_t {
  kTenant = 1, kUser, kPerson, kMessage, kMessageText, kSecret, kGraphId, kSfId,
  kMailboxCopy, kClock, kTokenKey, kCaptureTraits,
};

inline std::uint64_t HashOf(std::uint64_t seed, Tag tag, std::initializer_list<std::uint64_t> parts) {
  std::uint64_t h = HashOf({seed, static_cast<std::uint64_t>(tag)});
  for (std::uint64_t p : parts) h = Mix64(h ^ Mix64(p));
  return h;
}

// `length` characters of [0-9A-Za-z] drawn from `rng` (mixed case on purpose).
std::string Base62(Rng& rng, std::size_t length);
// The same characters written to `out` (ids rendered into a page need no string of their own).
inline void WriteBase62(Rng& rng, char* out, std::size_t length) {
  constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (std::size_t i = 0; i < length; ++i) out[i] = kAlphabet[rng.Below(62)];
}
// The same characters appended to `out`.
inline void AppendBase62(std::string& out, Rng& rng, std::size_t length) {
  const std::size_t at = out.size();
  out.resize(at + length);
  WriteBase62(rng, out.data() + at, length);
}
// "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx" from a hash: stable, looks like a v4 uuid.
std::string UuidFromHash(std::uint64_t h);
// An 18-character Salesforce id: 3-char key prefix, 12 characters from `h`,
// and the case-safe 3-character checksum suffix Salesforce appends.
std::string SalesforceId(const char* prefix, std::uint64_t h);

}  // namespace crmsync::sim

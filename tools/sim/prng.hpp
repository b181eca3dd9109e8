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

// x % n by multiplications instead of a 64-bit division (tens of cycles;
// the corpus draws people by a tenant-sized modulus several times per
// message): Lemire, Kaser, Kurz, "Faster remainder by direct computation"
// (2019), exact for every 64-bit x with a 128-bit magic number. n > 0.
class Modulus {
 public:
  explicit constexpr Modulus(std::uint64_t n) : n_(n), magic_(~static_cast<unsigned __int128>(0) / n + 1) {}
  constexpr std::uint64_t n() const { return n_; }
  constexpr std::uint64_t Of(std::uint64_t x) const {
    const unsigned __int128 fraction = magic_ * x;   // mod 2^128
    // The top 64 bits of the 192-bit fraction * n.
    const unsigned __int128 low = (fraction & ~std::uint64_t{0}) * static_cast<unsigned __int128>(n_);
    const unsigned __int128 high = (fraction >> 64) * static_cast<unsigned __int128>(n_);
    return static_cast<std::uint64_t>((high + (low >> 64)) >> 64);
  }

 private:
  std::uint64_t n_;
  unsigned __int128 magic_;
};

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
  // The same draw as Below(modulus.n()).
  constexpr std::uint64_t Below(const Modulus& modulus) { return modulus.Of(Next()); }
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

#include "text_util.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include <fmt/core.h>

#include "prng.hpp"
#include "sf_text.hpp"
#include "url_decoding.hpp"

namespace crmsync::sim {

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n\f\v";
  std::size_t b = text.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  std::size_t e = text.find_last_not_of(kSpace);
  return text.substr(b, e - b + 1);
}

std::size_t Utf8Length(std::string_view text) { return sf::CodePointCount(text); }

std::string_view Utf8Prefix(std::string_view text, std::size_t max_code_points) {
  // A text has no more code points than bytes: most subjects and previews end here unscanned.
  if (text.size() <= max_code_points) return text;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == max_code_points) return text.substr(0, i);
      ++seen;
    }
  }
  return text;
}

namespace {
std::tm UtcTm(std::int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
// calendar (H. Hinnant's civil_from_days): no gmtime_r and fmt per date.
void CivilFromDays(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

void AppendDigits(char* at, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}
}  // namespace

void AppendIsoUtc(std::string& out, std::int64_t epoch_seconds) {
  constexpr std::int64_t kDay = 86400;
  std::int64_t days = epoch_seconds / kDay, second_of_day = epoch_seconds % kDay;
  if (second_of_day < 0) {
    second_of_day += kDay;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, year, month, day);
  if (year < 0 || year > 9999) {
    out += FormatIsoUtc(epoch_seconds);
    return;
  }
  const auto s = static_cast<unsigned>(second_of_day);
  char text[20] = {0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0, ':', 0, 0, 'Z'};
  AppendDigits(text, static_cast<unsigned>(year), 4);
  AppendDigits(text + 5, month, 2);
  AppendDigits(text + 8, day, 2);
  AppendDigits(text + 11, s / 3600, 2);
  AppendDigits(text + 14, s / 60 % 60, 2);
  AppendDigits(text + 17, s % 60, 2);
  out.append(text, sizeof text);
}

std::string FormatIsoUtc(std::int64_t epoch_seconds) {
  std::tm tm = UtcTm(epoch_seconds);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatDate(std::int64_t epoch_seconds) {
  std::tm tm = UtcTm(epoch_seconds);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string WallClockTimestamp() {
  auto now = std::chrono::system_clock::now();
  std::int64_t s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::string iso = FormatIsoUtc(s);
  iso[10] = ' ';
  return iso;
}


std::optional<std::string> FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexDigitValue(text[i + 1]), lo = HexDigitValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto name = FormDecode(pair.substr(0, eq));
    auto value = FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.emplace(std::move(*name), std::move(*value));
  }
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string std_text;
  std_text.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '-') {
      std_text += '+';
    } else if (c == '_') {
      std_text += '/';
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      std_text += c;
    } else {
      return std::nullopt;
    }
  }
  if (std_text.size() % 4 == 1) return std::nullopt;
  while (std_text.size() % 4 != 0) std_text += '=';
  return Base64Decode(std_text);
}

std::string RandomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return Base64UrlEncode(raw);
}

std::string RandomUuid() {
  // Request and trace ids need only differ: a per-thread stream seeded once
  // from RAND_bytes (RAND_bytes per id cost 2 % of serving a page).
  thread_local Rng stream([] {
    std::uint64_t seed = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
    return seed;
  }());
  return UuidFromHash(stream.Next());
}

std::optional<std::uint64_t> ParseUint(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// --- prng.hpp helpers -------------------------------------------------------

std::string Base62(Rng& rng, std::size_t length) {
  std::string out(length, '\0');
  WriteBase62(rng, out.data(), length);
  return out;
}

std::string UuidFromHash(std::uint64_t h) {
  std::uint64_t a = Mix64(h), b = Mix64(h ^ 0x5bd1e995ULL);
  b = (b & 0x0fffffffffffffffULL) | 0x8000000000000000ULL;   // RFC 4122 variant
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;   // version 4
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

std::string SalesforceId(const char* prefix, std::uint64_t h) {
  Rng rng(h);
  std::string id = std::string(prefix) + Base62(rng, 12);
  static constexpr char kSuffix[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string suffix;
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id[static_cast<std::size_t>(chunk * 5 + i)];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += kSuffix[bits];
  }
  return id + suffix;
}

}  // namespace crmsync::sim

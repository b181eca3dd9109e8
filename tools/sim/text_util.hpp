// Small text helpers shared by the simulated services: UTF-8 prefixes, ISO
// dates, form decoding, base64url (OpenSSL), random tokens (OpenSSL RAND).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::sim {

std::string AsciiLower(std::string_view text);
bool EqualsNoCase(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view text);

// Number of code points of valid UTF-8 text.
std::size_t Utf8Length(std::string_view text);
// The longest prefix of at most `max_code_points` code points.
std::string_view Utf8Prefix(std::string_view text, std::size_t max_code_points);

// "2026-11-01T00:00:00Z" and "2026-11-01" for seconds since the Unix epoch (UTC).
std::string FormatIsoUtc(std::int64_t epoch_seconds);
// Appends FormatIsoUtc(epoch_seconds) to `out` without a temporary (pages format two dates per message).
void AppendIsoUtc(std::string& out, std::int64_t epoch_seconds);
std::string FormatDate(std::int64_t epoch_seconds);
// "2026-11-01 00:00:00Z" (the AADSTS timestamp form), from the real wall clock.
std::string WallClockTimestamp();

// application/x-www-form-urlencoded; nullopt on a malformed %-escape.
std::optional<std::string> FormDecode(std::string_view text);
// First value wins for repeated names; nullopt when malformed.
std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::optional<std::string> Base64Decode(std::string_view text);   // standard alphabet, padded

// `bytes` random bytes (OpenSSL RAND_bytes), base64url-encoded.
std::string RandomToken(std::size_t bytes);
std::string RandomUuid();

// Strictly parses a non-negative decimal integer of the whole text.
std::optional<std::uint64_t> ParseUint(std::string_view text);

}  // namespace crmsync::sim

// Value encoding of the state column families (private to state/).
//
// Every value starts with one version byte (kValueVersion, now 1) followed by
// the fields of the entity in declaration order: strings as a LEB128 varint
// length plus bytes, integers as LEB128 varints (signed ones cast to uint64).
// A run value is the version byte followed by the report JSON verbatim.
// Decoding is strict: an unknown version, a truncated field or trailing bytes
// give kCorruption with the reason; the caller adds the family and key. A
// new field means a new version, decoded alongside the old one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::state::internal {

inline constexpr std::uint8_t kValueVersion = 1;

std::string EncodeCursor(const Cursor& cursor);
std::string EncodeLedger(const LedgerEntry& entry);
std::string EncodeDirectory(const DirectoryEntry& entry);
std::string EncodeQuarantine(const QuarantineEntry& entry);
std::string EncodeRun(std::string_view report_json);
std::string EncodeUser(const UserRecord& user);
std::string EncodeTenantState(const TenantState& state);
std::string EncodeNonce(std::int64_t expires_unix_ms);
// A sealed secret: opaque bytes (state/secret_box.hpp seals and opens them).
std::string EncodeSecret(std::string_view sealed);
Result<std::string> DecodeSecret(std::string_view value);

Result<Cursor> DecodeCursor(std::string_view value);
Result<LedgerEntry> DecodeLedger(std::string_view value);
Result<DirectoryEntry> DecodeDirectory(std::string_view value);
Result<QuarantineEntry> DecodeQuarantine(std::string_view value);
Result<std::string> DecodeRun(std::string_view value);
Result<UserRecord> DecodeUser(std::string_view value);
Result<TenantState> DecodeTenantState(std::string_view value);
Result<std::int64_t> DecodeNonce(std::string_view value);

}  // namespace crmsync::state::internal

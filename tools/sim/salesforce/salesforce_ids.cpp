#include "salesforce_ids.hpp"

namespace crmsync::sim::sf {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr std::size_t kOrgDigits = 3;
constexpr std::size_t kSerialDigits = 9;

// Writes `value` in `digits` base-62 digits, most significant first, at `out`.
void WriteBase62(char* out, std::uint64_t value, std::size_t digits) {
  for (std::size_t i = digits; i-- > 0;) {
    out[i] = kBase62[value % kBase62.size()];
    value /= kBase62.size();
  }
}

// The case-safe suffix of the 15 characters at `id15`, written at `out`.
void WriteCaseSafeSuffix(const char* id15, char* out) {
  for (std::size_t chunk = 0; chunk < 3; ++chunk) {
    unsigned flags = 0;
    for (std::size_t j = 0; j < 5; ++j) {
      char c = id15[chunk * 5 + j];
      if (c >= 'A' && c <= 'Z') flags |= 1u << j;
    }
    out[chunk] = kSuffixAlphabet[flags];
  }
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string CaseSafeSuffix(std::string_view id15) {
  std::string suffix(3, '\0');
  WriteCaseSafeSuffix(id15.data(), suffix.data());
  return suffix;
}

std::string MakeSalesforceId(std::string_view key_prefix, std::uint32_t org_index,
                             std::uint64_t serial) {
  // Written in place: every Task an upsert answers for has its id made here.
  const std::string_view prefix = key_prefix.substr(0, 3);
  std::string id(prefix.size() + kOrgDigits + kSerialDigits + 3, '\0');
  char* out = id.data();
  prefix.copy(out, prefix.size());
  out += prefix.size();
  WriteBase62(out, org_index, kOrgDigits);
  WriteBase62(out + kOrgDigits, serial, kSerialDigits);
  WriteCaseSafeSuffix(id.data(), out + kOrgDigits + kSerialDigits);
  return id;
}

bool IsWellFormedId(std::string_view id) {
  if (id.size() != 15 && id.size() != 18) return false;
  for (char c : id) {
    if (!IsAlnum(c)) return false;
  }
  return id.size() == 15 || CaseSafeSuffix(id.substr(0, 15)) == id.substr(15);
}

}  // namespace crmsync::sim::sf

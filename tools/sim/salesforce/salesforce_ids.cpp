#include "salesforce_ids.hpp"

namespace crmsync::sim::sf {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr std::size_t kOrgDigits = 3;
constexpr std::size_t kSerialDigits = 9;

void AppendBase62(std::string& out, std::uint64_t value, std::size_t digits) {
  std::string chunk(digits, '0');
  for (std::size_t i = digits; i-- > 0;) {
    chunk[i] = kBase62[value % kBase62.size()];
    value /= kBase62.size();
  }
  out += chunk;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string CaseSafeSuffix(std::string_view id15) {
  std::string suffix;
  for (std::size_t chunk = 0; chunk < 3; ++chunk) {
    unsigned flags = 0;
    for (std::size_t j = 0; j < 5; ++j) {
      char c = id15[chunk * 5 + j];
      if (c >= 'A' && c <= 'Z') flags |= 1u << j;
    }
    suffix.push_back(kSuffixAlphabet[flags]);
  }
  return suffix;
}

std::string MakeSalesforceId(std::string_view key_prefix, std::uint32_t org_index,
                             std::uint64_t serial) {
  std::string id(key_prefix.substr(0, 3));
  AppendBase62(id, org_index, kOrgDigits);
  AppendBase62(id, serial, kSerialDigits);
  id += CaseSafeSuffix(id);
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

// Salesforce record ids: a 3-character key prefix (00T Task, 003 Contact,
// 00Q Lead, 005 User, 00D Organization, 01g query locator), 12 base-62
// characters, and the 3-character case-safe suffix that turns the 15-character
// case-sensitive form into the 18-character one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crmsync::sim::sf {

// The 18-character id number `serial` of `org_index` under `key_prefix`.
std::string MakeSalesforceId(std::string_view key_prefix, std::uint32_t org_index,
                             std::uint64_t serial);

// The 3-character suffix of a 15-character id.
std::string CaseSafeSuffix(std::string_view id15);

// 15 or 18 alphanumeric characters, and an 18-character id's suffix matches.
bool IsWellFormedId(std::string_view id);

}  // namespace crmsync::sim::sf

// The SOQL subset the simulator answers: the directory lookups the engine
// makes to resolve participants.
//
//   SELECT f [, f]* FROM Contact|Lead|User
//     [WHERE Email IN ('a' [, 'b']*) | WHERE Email = 'a' | WHERE Email != null] [LIMIT n]
//   on User also WHERE FederationIdentifier IN (...) | = '...'
//   SELECT Id, RelatedRecordId FROM ServiceResource WHERE RelatedRecordId IN (...)
//     (orgs with Salesforce Scheduler, crmsync-sim --scheduler; fields Id,
//     Name, IsActive, RelatedRecordId)
//
// Keywords, field and object names are case-insensitive; fields are Id,
// Email, Name, FirstName, LastName, and IsActive and FederationIdentifier on
// User. Values compare case-insensitively, as Salesforce compares strings. String literals take
// SOQL escapes (\' \" \\ \n \r \t \b \f). Everything else is refused the way
// Salesforce refuses it: MALFORMED_QUERY, INVALID_FIELD or INVALID_TYPE, with
// a message naming what was wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sf_error.hpp"

namespace crmsync::sim::sf {

enum class SoqlField { kId, kEmail, kName, kFirstName, kLastName, kIsActive, kFederationIdentifier, kRelatedRecordId };

// Canonical API name, as query results spell it.
std::string_view SoqlFieldName(SoqlField field);

struct SoqlQuery {
  std::string sobject;                // "Contact", "Lead" or "User"
  std::vector<SoqlField> fields;      // in SELECT order, no duplicates
  bool filtered = false;              // has WHERE Email|FederationIdentifier IN/=
  SoqlField filter_field = SoqlField::kEmail;   // kEmail or kFederationIdentifier
  std::vector<std::string> emails;    // literal values of the filter, unescaped
  bool email_not_null = false;        // WHERE Email != null
  std::optional<std::uint64_t> limit;
};

std::variant<SoqlQuery, SfError> ParseSoql(std::string_view soql);

}  // namespace crmsync::sim::sf

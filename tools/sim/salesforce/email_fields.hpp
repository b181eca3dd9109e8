// The EmailMessage and EmailMessageRelation fields the simulated org exposes
// (Enhanced Email, API-FACTS.md §4.6), with their limits. Anything not in
// these tables is "No such column". Once an EmailMessage is not a Draft
// (Status "5"), only IsExternallyVisible and custom fields may change; an
// EmailMessageRelation's standard fields never change after create.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "sf_error.hpp"

namespace crmsync::sim::sf {

enum class EmailObject { kEmailMessage, kEmailMessageRelation };

enum class EmailFieldKind {
  kText,          // up to max_length code points
  kBool,          // JSON true/false (or the strings "true"/"false")
  kDateTime,      // ISO-8601: YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm)
  kPicklist,      // restricted picklist (`values`)
  kEmailMessage,  // an EmailMessage id of this org (or of this graph)
  kWhoOrUser,     // a Contact, Lead or User id of this org
  kAnyRecord,     // any well-formed record id
  kExternalId,    // Crmsync_Key__c, the upsert key
};

struct EmailField {
  std::string_view name;    // canonical case
  std::string_view label;   // as error messages name it
  EmailFieldKind kind;
  std::size_t max_length;   // code points; 0 when not text
  std::span<const std::string_view> values;
  bool required;            // on create
  bool updatable;           // after create (EmailMessage: once not Draft)
};

inline constexpr std::string_view kDraftStatus = "5";

// "EmailMessage" / "EmailMessageRelation" (case-insensitive), or nullopt.
std::optional<EmailObject> FindEmailObject(std::string_view sobject);
std::string_view EmailObjectName(EmailObject object);
std::span<const EmailField> EmailFields(EmailObject object);
const EmailField* FindEmailField(EmailObject object, std::string_view name);

// Checks that need no org data: length, picklist, date-time and boolean syntax.
std::optional<SfError> CheckEmailValue(const EmailField& field, std::string_view value);

}  // namespace crmsync::sim::sf

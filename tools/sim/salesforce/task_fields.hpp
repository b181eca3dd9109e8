// The Task fields the simulated org exposes to the integration user, with
// the limits Salesforce enforces on them (API-FACTS.md §4.6). Anything not in
// this table is "No such column" — including the read-only and derived fields.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "sf_error.hpp"

namespace crmsync::sim::sf {

enum class TaskFieldKind {
  kText,          // free text up to max_length code points
  kDate,          // YYYY-MM-DD
  kPicklist,      // restricted picklist (`values`)
  kContactOrLead, // WhoId: a Contact or Lead of the org
  kAnyRecord,     // WhatId: any well-formed record id
  kUser,          // OwnerId: a User of the org
  kExternalId,    // Crmsync_Key__c, the upsert key
};

struct TaskField {
  std::string_view name;         // API name, canonical case
  std::string_view label;        // as Salesforce names it in error messages
  TaskFieldKind kind;
  std::size_t max_length;        // code points; 0 when not text
  std::span<const std::string_view> values;   // restricted picklist values
  bool create_only;              // may be sent only when the upsert creates
};

inline constexpr std::string_view kExternalIdField = "Crmsync_Key__c";
inline constexpr std::size_t kTaskFieldCount = 11;   // the fields in the table

// Case-insensitive, as Salesforce matches field names; nullptr if unknown.
const TaskField* FindTaskField(std::string_view name);
// The table's field `index` (< kTaskFieldCount), and a field's index in it.
const TaskField& TaskFieldAt(std::size_t index);
std::size_t TaskFieldIndex(const TaskField& field);

// Checks that need no org data: length, picklist membership, date syntax.
// Reference fields are checked against the org's directory by the caller.
std::optional<SfError> CheckTaskValue(const TaskField& field, std::string_view value);

}  // namespace crmsync::sim::sf

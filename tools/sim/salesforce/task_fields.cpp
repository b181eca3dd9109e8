#include "task_fields.hpp"

#include <array>

#include <fmt/format.h>

#include "sf_text.hpp"

namespace crmsync::sim::sf {
namespace {

constexpr std::array<std::string_view, 5> kStatusValues = {
    "Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"};
constexpr std::array<std::string_view, 3> kPriorityValues = {"High", "Normal", "Low"};
constexpr std::array<std::string_view, 6> kSubtypeValues = {"Task",  "Email",    "ListEmail",
                                                            "Cadence", "Call", "LinkedIn"};
// Salesforce accepts dates in this year range only.
constexpr int kMinYear = 1700;
constexpr int kMaxYear = 4000;

const std::array<TaskField, kTaskFieldCount>& Fields() {
  static const std::array<TaskField, kTaskFieldCount> fields = {{
      {"Subject", "Subject", TaskFieldKind::kText, 255, {}, false},
      {"Description", "Comments", TaskFieldKind::kText, 32000, {}, false},
      {"ActivityDate", "Due Date Only", TaskFieldKind::kDate, 0, {}, false},
      {"Status", "Status", TaskFieldKind::kPicklist, 0, kStatusValues, false},
      {"Priority", "Priority", TaskFieldKind::kPicklist, 0, kPriorityValues, false},
      {"Type", "Type", TaskFieldKind::kText, 255, {}, false},
      {"WhoId", "Name ID", TaskFieldKind::kContactOrLead, 0, {}, false},
      {"WhatId", "Related To ID", TaskFieldKind::kAnyRecord, 0, {}, false},
      {"OwnerId", "Assigned To ID", TaskFieldKind::kUser, 0, {}, false},
      {"TaskSubtype", "Task Subtype", TaskFieldKind::kPicklist, 0, kSubtypeValues, true},
      {kExternalIdField, "Crmsync Key", TaskFieldKind::kExternalId, 255, {}, false},
  }};
  return fields;
}

int Digits(std::string_view text) {
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool IsValidDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int year = Digits(text.substr(0, 4));
  int month = Digits(text.substr(5, 2));
  int day = Digits(text.substr(8, 2));
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max_day;
}

}  // namespace

const TaskField* FindTaskField(std::string_view name) {
  // Every field of every upserted record is looked up here, nearly always
  // in its canonical case: exact matches first.
  const auto& fields = Fields();
  for (const TaskField& field : fields) {
    if (field.name == name) return &field;
  }
  for (const TaskField& field : fields) {
    if (field.name.size() == name.size() && EqualsNoCase(field.name, name)) return &field;
  }
  return nullptr;
}

const TaskField& TaskFieldAt(std::size_t index) { return Fields()[index]; }

std::size_t TaskFieldIndex(const TaskField& field) { return static_cast<std::size_t>(&field - Fields().data()); }

std::optional<SfError> CheckTaskValue(const TaskField& field, std::string_view value) {
  // Built only for an error: this runs for every value of every record.
  auto fields = [&field] { return std::vector<std::string>{std::string(field.name)}; };
  switch (field.kind) {
    case TaskFieldKind::kText:
    case TaskFieldKind::kExternalId:
      if (CodePointCount(value) > field.max_length) {
        return SfError{"STRING_TOO_LONG",
                       fmt::format("{}: data value too large (max length={})", field.label,
                                   field.max_length),
                       fields()};
      }
      return std::nullopt;
    case TaskFieldKind::kDate:
      if (!IsValidDate(value)) {
        return SfError{"INVALID_TYPE_ON_FIELD_IN_RECORD",
                       fmt::format("{}: value not of required type: {}", field.label, value),
                       fields()};
      }
      return std::nullopt;
    case TaskFieldKind::kPicklist:
      for (std::string_view allowed : field.values) {
        if (allowed == value) return std::nullopt;
      }
      return SfError{"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                     fmt::format("{}: bad value for restricted picklist field: {}", field.label, value),
                     fields()};
    case TaskFieldKind::kContactOrLead:
    case TaskFieldKind::kAnyRecord:
    case TaskFieldKind::kUser:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace crmsync::sim::sf

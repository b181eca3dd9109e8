#include "email_fields.hpp"

#include <array>
#include <string>

#include <fmt/format.h>

#include "sf_text.hpp"

namespace crmsync::sim::sf {
namespace {

constexpr std::array<std::string_view, 6> kStatusValues = {"0", "1", "2", "3", "4", "5"};
constexpr std::array<std::string_view, 4> kRelationTypes = {"FromAddress", "ToAddress", "CcAddress",
                                                            "BccAddress"};
constexpr std::string_view kKey = "Crmsync_Key__c";

constexpr std::array<EmailField, 18> kMessageFields = {{
    {"Subject", "Subject", EmailFieldKind::kText, 3000, {}, false, false},
    {"TextBody", "Text Body", EmailFieldKind::kText, 32000, {}, false, false},
    {"HtmlBody", "HTML Body", EmailFieldKind::kText, 32000, {}, false, false},
    {"Headers", "Headers", EmailFieldKind::kText, 32000, {}, false, false},
    {"FromAddress", "From Address", EmailFieldKind::kText, 1000, {}, false, false},
    {"FromName", "From Name", EmailFieldKind::kText, 1000, {}, false, false},
    {"ToAddress", "To Address", EmailFieldKind::kText, 4000, {}, false, false},
    {"CcAddress", "CC Address", EmailFieldKind::kText, 4000, {}, false, false},
    {"BccAddress", "BCC Address", EmailFieldKind::kText, 4000, {}, false, false},
    {"MessageDate", "Message Date", EmailFieldKind::kDateTime, 0, {}, false, false},
    {"Incoming", "Is Incoming", EmailFieldKind::kBool, 0, {}, false, false},
    {"Status", "Status", EmailFieldKind::kPicklist, 0, kStatusValues, true, false},
    {"MessageIdentifier", "Message ID", EmailFieldKind::kText, 255, {}, false, false},
    {"ThreadIdentifier", "Thread ID", EmailFieldKind::kText, 255, {}, false, false},
    {"RelatedToId", "Related To ID", EmailFieldKind::kAnyRecord, 0, {}, false, false},
    {"ParentId", "Case ID", EmailFieldKind::kAnyRecord, 0, {}, false, false},
    {"IsExternallyVisible", "Is Externally Visible", EmailFieldKind::kBool, 0, {}, false, true},
    {kKey, "Crmsync Key", EmailFieldKind::kExternalId, 255, {}, false, true},
}};

constexpr std::array<EmailField, 5> kRelationFields = {{
    {"EmailMessageId", "Email Message ID", EmailFieldKind::kEmailMessage, 0, {}, true, false},
    {"RelationId", "Relation ID", EmailFieldKind::kWhoOrUser, 0, {}, false, false},
    {"RelationAddress", "Relation Address", EmailFieldKind::kText, 1000, {}, false, false},
    {"RelationType", "Relation Type", EmailFieldKind::kPicklist, 0, kRelationTypes, true, false},
    {kKey, "Crmsync Key", EmailFieldKind::kExternalId, 255, {}, false, true},
}};

bool Digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsValidDateTime(std::string_view t) {
  // YYYY-MM-DDThh:mm:ss
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return false;
  }
  if (!Digits(t.substr(0, 4)) || !Digits(t.substr(5, 2)) || !Digits(t.substr(8, 2)) ||
      !Digits(t.substr(11, 2)) || !Digits(t.substr(14, 2)) || !Digits(t.substr(17, 2))) {
    return false;
  }
  const int month = std::stoi(std::string(t.substr(5, 2)));
  const int day = std::stoi(std::string(t.substr(8, 2)));
  const int hour = std::stoi(std::string(t.substr(11, 2)));
  const int minute = std::stoi(std::string(t.substr(14, 2)));
  const int second = std::stoi(std::string(t.substr(17, 2)));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return false;
    rest.remove_prefix(n);
  }
  if (rest == "Z") return true;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    return Digits(rest.substr(1, 2)) && Digits(rest.substr(4, 2));
  }
  if (rest.size() == 5 && (rest[0] == '+' || rest[0] == '-')) return Digits(rest.substr(1));
  return false;
}

}  // namespace

std::optional<EmailObject> FindEmailObject(std::string_view sobject) {
  if (EqualsNoCase(sobject, "EmailMessage")) return EmailObject::kEmailMessage;
  if (EqualsNoCase(sobject, "EmailMessageRelation")) return EmailObject::kEmailMessageRelation;
  return std::nullopt;
}

std::string_view EmailObjectName(EmailObject object) {
  return object == EmailObject::kEmailMessage ? "EmailMessage" : "EmailMessageRelation";
}

std::span<const EmailField> EmailFields(EmailObject object) {
  if (object == EmailObject::kEmailMessage) return kMessageFields;
  return kRelationFields;
}

const EmailField* FindEmailField(EmailObject object, std::string_view name) {
  for (const EmailField& field : EmailFields(object)) {
    if (EqualsNoCase(field.name, name)) return &field;
  }
  return nullptr;
}

std::optional<SfError> CheckEmailValue(const EmailField& field, std::string_view value) {
  std::vector<std::string> fields = {std::string(field.name)};
  switch (field.kind) {
    case EmailFieldKind::kText:
    case EmailFieldKind::kExternalId:
      if (CodePointCount(value) > field.max_length) {
        return SfError{"STRING_TOO_LONG",
                       fmt::format("{}: data value too large (max length={})", field.label,
                                   field.max_length),
                       std::move(fields)};
      }
      return std::nullopt;
    case EmailFieldKind::kBool:
      if (value == "true" || value == "false") return std::nullopt;
      return SfError{"INVALID_TYPE_ON_FIELD_IN_RECORD",
                     fmt::format("{}: value not of required type: {}", field.label, value),
                     std::move(fields)};
    case EmailFieldKind::kDateTime:
      if (IsValidDateTime(value)) return std::nullopt;
      return SfError{"INVALID_TYPE_ON_FIELD_IN_RECORD",
                     fmt::format("{}: value not of required type: {}", field.label, value),
                     std::move(fields)};
    case EmailFieldKind::kPicklist:
      for (std::string_view allowed : field.values) {
        if (allowed == value) return std::nullopt;
      }
      return SfError{"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                     fmt::format("{}: bad value for restricted picklist field: {}", field.label, value),
                     std::move(fields)};
    case EmailFieldKind::kEmailMessage:
    case EmailFieldKind::kWhoOrUser:
    case EmailFieldKind::kAnyRecord:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace crmsync::sim::sf

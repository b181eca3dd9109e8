// Salesforce error values and their wire forms. REST errors are JSON arrays
// of {message, errorCode[, fields]}; per-record errors inside a collection
// result use {statusCode, message, fields}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmsync::sim::sf {

struct SfError {
  std::string code;                  // INVALID_FIELD, MALFORMED_QUERY, ...
  std::string message;
  std::vector<std::string> fields;   // empty when no field is at fault
};

// Appends `text` as a JSON string literal (quotes included). Invalid UTF-8
// (which can only come from URLs or setup data, never from parsed JSON) is
// replaced by U+FFFD so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);
std::string JsonString(std::string_view text);

// [{"message":...,"errorCode":...[,"fields":[...]]}]
std::string RestErrorBody(const SfError& error);
// {"statusCode":...,"message":...,"fields":[...]}, appended to `out`.
void AppendRecordError(std::string& out, const SfError& error);
// {"success":false,"errors":[...]}, appended to `out`: one failed record of
// an sObject Collections answer.
void AppendFailedRecord(std::string& out, const std::vector<SfError>& errors);

}  // namespace crmsync::sim::sf

// Salesforce REST (API-FACTS.md §4): SOQL by email and sObject Collections
// upsert on an external-ID field. Pure builders and parsers; the
// asynchronous client is in client.hpp.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::salesforce {

struct Field {
  std::string name;         // API name, e.g. "Subject"
  std::string value;        // string value; empty + null=true sends JSON null
  bool null = false;
  bool create_only = false; // e.g. Task.TaskSubtype: settable only on create
  bool literal = false;     // value is a JSON literal (true, false, a number), sent unquoted
};

// A record written in the same all-or-none Composite Graph as its parent
// (EmailMessageRelation under EmailMessage). Upserted by its own external id
// so that a re-send never duplicates it.
struct ChildRecord {
  std::string sobject;       // e.g. "EmailMessageRelation"
  std::string external_id;   // value of the child's external-ID field
  std::string parent_field;  // set to the parent's id, e.g. "EmailMessageId"
  std::vector<Field> fields;
};

struct UpsertRecord {
  std::string external_id;  // value of the external-ID field
  std::vector<Field> fields;
  // Only the Composite Graph writer (email_graph.hpp) sends children;
  // BuildUpsertBody (sObject Collections) ignores them.
  std::vector<ChildRecord> children = {};
  // Fields already written as JSON, `,"Name":value` each, exactly as
  // BuildUpsertBody writes `fields` (and before them): a producer on the hot
  // path writes a record's JSON once, straight from its source, with no
  // Field strings in between (AppendRenderedField). The create-only fields
  // come first, in the first `rendered_create_only_bytes` bytes. Readers
  // that need Field values (the quarantine) call MaterializeFields first.
  std::string rendered_fields = {};
  std::size_t rendered_create_only_bytes = 0;
};

// Appends `,"name":"value"` to a record's rendered_fields, both strings
// escaped as BuildUpsertBody escapes them.
void AppendRenderedField(std::string& rendered, std::string_view name, std::string_view value);
// Moves the rendered fields into `fields` (after those already there; the
// first rendered_create_only_bytes bytes' fields marked create_only, JSON
// null as null, other non-strings as literals) and clears them. Fails only on
// rendered JSON not written by AppendRenderedField, leaving the record as is.
Status MaterializeFields(UpsertRecord& record);
// Whether any field, listed or rendered, is create-only.
bool HasCreateOnlyField(const UpsertRecord& record);

struct UpsertOutcome {
  bool success = false;
  bool created = false;
  std::string id;
  std::string error_code;   // first error's statusCode
  std::string error_message;
};

// {"allOrNone":false,"records":[{"attributes":{"type":SOBJECT},EXTID:...,fields...}]}
// Strings are JSON-escaped; invalid UTF-8 is replaced by U+FFFD. A record's
// rendered fields come right after its external id, then its `fields`.
std::string BuildUpsertBody(std::string_view sobject, std::string_view external_id_field,
                            std::span<const UpsertRecord> records, bool include_create_only = true);
// The 200 response: one outcome per record, in request order.
Result<std::vector<UpsertOutcome>> ParseUpsertResponse(std::string_view body, std::size_t expected);

struct EmailMatch {
  std::string id;
  std::string email;        // lower-cased value of the queried field (Email, FederationIdentifier, ...)
};

struct QueryPage {
  std::vector<EmailMatch> records;
  std::string next_records_url;   // empty when done
};

// SELECT Id, Email FROM {sobject} WHERE Email IN ('a','b',...), split so
// that each encoded query URL stays under max_url_bytes. Quotes and
// backslashes are escaped as SOQL requires.
std::vector<std::string> BuildEmailInQueries(std::string_view sobject,
                                             std::span<const std::string> emails,
                                             std::size_t max_url_bytes = 8000);
// The same for any string field: SELECT Id, {field} FROM {sobject} WHERE
// {field} IN (...). Values are trimmed and lower-cased (SOQL compares
// strings case-insensitively), empty ones and duplicates dropped.
std::vector<std::string> BuildFieldInQueries(std::string_view sobject, std::string_view field,
                                             std::span<const std::string> values,
                                             std::size_t max_url_bytes = 8000);
// `field` names the record key read into EmailMatch::email.
Result<QueryPage> ParseQueryResponse(std::string_view body, std::string_view field = "Email");
// Salesforce REST errors are JSON arrays [{"message","errorCode"}]; returns
// "ERRORCODE: message" of the first, or a short excerpt when not parseable.
std::string DescribeRestError(std::string_view body);

}  // namespace crmsync::salesforce

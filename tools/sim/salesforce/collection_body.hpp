// The request side shared by the sObject Collections upserts by external id
// (Lead, Event, ResourceAbsence): the key field of the URI, the body's
// "records" array, and records whose fields are all text. Each answers as a
// real org does, so the upserts differ only in their own fields and rules.
#pragma once

#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "sim_state.hpp"
#include "task_fields.hpp"

namespace crmsync::sim::sf {

// 404 NOT_FOUND unless the URI names the crmsync key field.
std::optional<HttpResponse> CheckExternalIdField(std::string_view external_id_field);

// Parses `body` with `parser` and points `records` at its "records" array
// (at most 200); when `all_or_none` is given, reads the optional boolean
// "allOrNone" into it first. A 400 answer for a body that is not that.
std::optional<HttpResponse> ParseCollectionBody(std::string_view body, simdjson::dom::parser& parser,
                                                simdjson::dom::array& records, bool* all_or_none = nullptr);

// One record of an upsert whose fields are all text.
struct TextRecord {
  std::string key, norm_key;
  std::map<std::string, std::string> values;
  std::vector<SfError> errors;
};

// Reads `item` into `record`: the key, and the `fields` of `sobject` (named
// as listed, matched without case); other fields are INVALID_FIELD errors of
// the record, a missing key MISSING_ARGUMENT. A 400 answer for an item that
// is not an object of strings.
std::optional<HttpResponse> ReadTextRecord(simdjson::dom::element item, std::span<const std::string_view> fields,
                                           std::string_view sobject, TextRecord& record);

// A key repeated within one request: every later record holding it fails
// DUPLICATE_VALUE (records that already failed do not count).
template <class Record>
void MarkRepeatedKeys(std::vector<Record>& records) {
  std::set<std::string> seen;
  for (Record& r : records) {
    if (r.errors.empty() && !seen.insert(r.norm_key).second) {
      r.errors.push_back({"DUPLICATE_VALUE", fmt::format("Duplicate external id specified: {}", r.key),
                          {std::string(kExternalIdField)}});
    }
  }
}

// The body of a 200 answer to an upsert, a result per record in order: its
// errors, else (when `rolled_back`, allOrNone with an invalid record) the
// rollback error, else its id and whether it was created.
template <class Record>
std::string CollectionUpsertReply(const std::vector<Record>& records, bool rolled_back = false) {
  std::string body = "[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i != 0) body.push_back(',');
    const Record& r = records[i];
    if (!r.errors.empty()) {
      AppendFailedRecord(body, r.errors);
    } else if (rolled_back) {
      body.append(R"({"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK","message":)"
                  R"("Record rolled back because not all records were valid and the request was using AllOrNone header",)"
                  R"("fields":[]}]})");
    } else {
      fmt::format_to(std::back_inserter(body), R"({{"id":"{}","success":true,"errors":[],"created":{}}})", r.id, r.create);
    }
  }
  body.push_back(']');
  return body;
}

}  // namespace crmsync::sim::sf

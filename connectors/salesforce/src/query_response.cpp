// ParseQueryResponse: {"totalSize","done","nextRecordsUrl"?,"records":[{Id,Email}]}.
#include <fmt/format.h>

#include <algorithm>

#include "crmsync/salesforce/salesforce.hpp"
#include "json_support.hpp"

namespace crmsync::salesforce {
namespace {

namespace od = detail::od;
constexpr std::string_view kWhat = "Salesforce query response";

Status ReadRecord(od::value& element, std::size_t index, std::string_view value_field, EmailMatch& match) {
  od::object object;
  if (auto error = element.get_object().get(object)) {
    return detail::JsonError(kWhat, fmt::format("records[{}]", index), error, "object");
  }
  bool has_id = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) {
      return detail::JsonError(kWhat, fmt::format("records[{}]", index), error);
    }
    if (auto error = field.unescaped_key().get(key)) {
      return detail::JsonError(kWhat, fmt::format("records[{}]", index), error);
    }
    if (key == "Id") {
      has_id = true;
      std::string_view id;
      if (auto error = field.value().get_string().get(id)) {
        return detail::JsonError(kWhat, fmt::format("records[{}].Id", index), error, "string");
      }
      match.id.assign(id);
    } else if (key == value_field) {
      if (auto error = detail::ReadNullableString(field.value(), match.email)) {
        return detail::JsonError(kWhat, fmt::format("records[{}].{}", index, value_field), error, "string");
      }
    }
  }
  if (!has_id) return Status::Corruption(fmt::format("{}: records[{}].Id: missing", kWhat, index));
  std::transform(match.email.begin(), match.email.end(), match.email.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return Status::Ok();
}

}  // namespace

Result<QueryPage> ParseQueryResponse(std::string_view body, std::string_view value_field) {
  if (body.empty()) return Status::Corruption(fmt::format("{}: empty body", kWhat));
  od::document doc;
  if (auto error = json::ThreadParser().iterate(json::PadInput(body)).get(doc)) {
    return detail::JsonError(kWhat, "document", error);
  }
  od::object root;
  if (auto error = doc.get_object().get(root)) {
    return detail::JsonError(kWhat, "document", error, "object");
  }
  QueryPage page;
  bool has_records = false;
  bool done = true;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return detail::JsonError(kWhat, "document", error);
    if (auto error = field.unescaped_key().get(key)) {
      return detail::JsonError(kWhat, "document", error);
    }
    if (key == "records") {
      has_records = true;
      od::array records;
      if (auto error = field.value().get_array().get(records)) {
        return detail::JsonError(kWhat, "records", error, "array");
      }
      std::size_t index = 0;
      for (auto element_result : records) {
        od::value element;
        if (auto error = std::move(element_result).get(element)) {
          return detail::JsonError(kWhat, fmt::format("records[{}]", index), error);
        }
        EmailMatch match;
        if (Status s = ReadRecord(element, index, value_field, match); !s.ok()) return s;
        page.records.push_back(std::move(match));
        ++index;
      }
    } else if (key == "nextRecordsUrl") {
      if (auto error = detail::ReadNullableString(field.value(), page.next_records_url)) {
        return detail::JsonError(kWhat, "nextRecordsUrl", error, "string");
      }
    } else if (key == "done") {
      if (auto error = field.value().get_bool().get(done)) {
        return detail::JsonError(kWhat, "done", error, "boolean");
      }
    }
  }
  if (json::HasTrailingContent(doc)) {
    return Status::Corruption(fmt::format("{}: document: trailing content", kWhat));
  }
  if (!has_records) return Status::Corruption(fmt::format("{}: records: missing", kWhat));
  if (done) {
    page.next_records_url.clear();
  } else if (page.next_records_url.empty()) {
    return Status::Corruption(fmt::format("{}: done is false but nextRecordsUrl is missing", kWhat));
  }
  return page;
}

}  // namespace crmsync::salesforce

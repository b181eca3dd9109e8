// DescribeRestError: REST errors are arrays [{"message","errorCode","fields"?}];
// OAuth errors are {"error","error_description"}.
#include <fmt/format.h>

#include "crmsync/salesforce/salesforce.hpp"
#include "json_support.hpp"

namespace crmsync::salesforce {
namespace {

namespace od = detail::od;
constexpr std::size_t kExcerptBytes = 200;

// Printable ASCII only: the excerpt goes into logs and reports.
std::string Excerpt(std::string_view body) {
  if (body.empty()) return "(empty body)";
  std::string out;
  for (char c : body.substr(0, kExcerptBytes)) {
    out.push_back((c >= 0x20 && c < 0x7F) ? c : '?');
  }
  if (body.size() > kExcerptBytes) out += "...";
  return out;
}

// Reads the two named string members of an object; false on any problem.
bool ReadPair(od::object& object, std::string_view code_key, std::string_view message_key,
              std::string& code, std::string& message) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
    if (key == code_key) {
      if (detail::ReadNullableString(field.value(), code)) return false;
    } else if (key == message_key) {
      if (detail::ReadNullableString(field.value(), message)) return false;
    }
  }
  return !code.empty() || !message.empty();
}

bool Describe(std::string_view body, std::string& code, std::string& message) {
  od::document doc;
  if (json::ThreadParser().iterate(json::PadInput(body)).get(doc)) return false;
  od::json_type type;
  if (doc.type().get(type)) return false;
  if (type == od::json_type::array) {
    od::array array;
    if (doc.get_array().get(array)) return false;
    for (auto element_result : array) {
      od::object first;
      if (element_result.get_object().get(first)) return false;
      return ReadPair(first, "errorCode", "message", code, message);
    }
    return false;
  }
  if (type == od::json_type::object) {
    od::object object;
    if (doc.get_object().get(object)) return false;
    return ReadPair(object, "error", "error_description", code, message);
  }
  return false;
}

}  // namespace

std::string DescribeRestError(std::string_view body) {
  std::string code;
  std::string message;
  if (body.empty() || !Describe(body, code, message)) return Excerpt(body);
  if (code.empty()) return message;
  if (message.empty()) return code;
  return fmt::format("{}: {}", code, message);
}

}  // namespace crmsync::salesforce

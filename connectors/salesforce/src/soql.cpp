// BuildFieldInQueries: batched "Field IN (...)" lookups that fit in a URL.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "crmsync/salesforce/salesforce.hpp"
#include "url_encode.hpp"

namespace crmsync::salesforce {
namespace {

// SOQL caps the IN list well above this; 500 keeps each query cheap.
constexpr std::size_t kMaxValuesPerQuery = 500;

std::string NormalizeEmail(std::string_view email) {
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// SOQL string literal: the reserved characters are escaped with a backslash.
std::string SoqlLiteral(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 4);
  out.push_back('\'');
  for (char c : value) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

}  // namespace

std::vector<std::string> BuildEmailInQueries(std::string_view sobject,
                                             std::span<const std::string> emails,
                                             std::size_t max_url_bytes) {
  return BuildFieldInQueries(sobject, "Email", emails, max_url_bytes);
}

std::vector<std::string> BuildFieldInQueries(std::string_view sobject, std::string_view field,
                                             std::span<const std::string> emails,
                                             std::size_t max_url_bytes) {
  const std::string prefix = fmt::format("SELECT Id, {1} FROM {0} WHERE {1} IN (", sobject, field);
  constexpr std::string_view kSuffix = ")";
  const std::size_t framing = detail::UrlEncode(prefix).size() + detail::UrlEncode(kSuffix).size();
  const std::size_t separator = detail::UrlEncode(",").size();

  std::vector<std::string> queries;
  std::string values;          // "'a','b'" of the query being filled
  std::size_t encoded = 0;     // its encoded length
  std::size_t count = 0;
  const auto flush = [&] {
    if (count == 0) return;
    queries.push_back(fmt::format("{}{}{}", prefix, values, kSuffix));
    values.clear();
    encoded = 0;
    count = 0;
  };

  std::unordered_set<std::string> seen;
  for (const std::string& raw : emails) {
    std::string email = NormalizeEmail(raw);
    if (email.empty() || !seen.insert(email).second) continue;
    const std::string literal = SoqlLiteral(email);
    const std::size_t literal_bytes = detail::UrlEncode(literal).size();
    const std::size_t added = (count > 0 ? separator : 0) + literal_bytes;
    if (count > 0 &&
        (count == kMaxValuesPerQuery || framing + encoded + added >= max_url_bytes)) {
      flush();
    }
    // A value too long for any query still gets one of its own: dropping it
    // would silently report "no match".
    if (count > 0) {
      values.push_back(',');
      encoded += separator;
    }
    values += literal;
    encoded += literal_bytes;
    ++count;
  }
  flush();
  return queries;
}

}  // namespace crmsync::salesforce

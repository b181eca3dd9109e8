#include "graph_error.hpp"

#include <fmt/format.h>

#include "json_support.hpp"

namespace crmsync::graph::detail {
namespace {

constexpr std::size_t kExcerptBytes = 200;

// Printable ASCII only: an excerpt goes into logs and reports.
std::string Excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kExcerptBytes)) {
    out.push_back((c >= 0x20 && c < 0x7F) ? c : '?');
  }
  if (body.size() > kExcerptBytes) out += "...";
  return out;
}

bool ParseInto(std::string_view body, GraphError& out) {
  od::document doc;
  if (json::ThreadParser().iterate(json::PadInput(body)).get(doc)) return false;
  od::object root;
  if (doc.get_object().get(root)) return false;
  od::object error;
  if (root.find_field_unordered("error").get_object().get(error)) return false;
  for (auto field_result : error) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
    if (key == "code") {
      if (!ReadString(field.value(), out.code).ok()) return false;
    } else if (key == "message") {
      if (!ReadString(field.value(), out.message).ok()) return false;
    }
  }
  return !out.code.empty() || !out.message.empty();
}

}  // namespace

GraphError ParseGraphError(std::string_view body) {
  GraphError error;
  if (body.empty()) return error;
  if (!ParseInto(body, error)) {
    error = {};
    error.message = Excerpt(body);
  }
  return error;
}

std::string DescribeGraphError(long status, std::string_view body) {
  GraphError error = ParseGraphError(body);
  if (error.code.empty()) error.code = "(no error code)";
  if (error.message.empty()) return fmt::format("Graph {} {}", status, error.code);
  return fmt::format("Graph {} {}: {}", status, error.code, error.message);
}

}  // namespace crmsync::graph::detail

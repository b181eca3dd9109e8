#include "gmail_batch.hpp"

#include <fmt/core.h>

#include "text_util.hpp"

namespace crmsync::sim::google {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// "Name: value" into a lower-cased name and a trimmed value.
bool SplitHeader(std::string_view line, std::string& name, std::string& value) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  name = AsciiLower(Trim(line.substr(0, colon)));
  value = std::string(Trim(line.substr(colon + 1)));
  return true;
}

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

Result<BatchPart> ParsePart(const std::vector<std::string_view>& lines) {
  BatchPart part;
  std::size_t i = 0;
  std::string name, value;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    if (!SplitHeader(lines[i], name, value)) return Status::InvalidArgument("malformed part header");
    if (name == "content-id") {
      std::string_view id = value;
      if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
      part.content_id = std::string(id);
    } else if (name == "content-type" && AsciiLower(value).rfind("application/http", 0) != 0) {
      return Status::InvalidArgument("a batch part must be application/http");
    }
  }
  ++i;   // the blank line
  while (i < lines.size() && lines[i].empty()) ++i;
  if (i >= lines.size()) return Status::InvalidArgument("a batch part has no request line");
  std::string_view request_line = lines[i++];
  std::size_t sp1 = request_line.find(' ');
  if (sp1 == std::string_view::npos) return Status::InvalidArgument("malformed request line in a batch part");
  std::size_t sp2 = request_line.find(' ', sp1 + 1);
  part.request.method = std::string(request_line.substr(0, sp1));
  std::string_view target = request_line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
  if (target.empty() || target.front() != '/') return Status::InvalidArgument("a batch request must use a path-only URL");
  std::size_t q = target.find('?');
  auto path = FormDecode(target.substr(0, q));
  if (!path) return Status::InvalidArgument("malformed path in a batch part");
  part.request.path = *path;
  if (q != std::string_view::npos) {
    part.request.raw_query = std::string(target.substr(q + 1));
    std::string_view rest = part.request.raw_query;
    while (!rest.empty()) {
      std::size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      std::size_t eq = pair.find('=');
      auto key = FormDecode(pair.substr(0, eq));
      auto val = FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!key || !val) return Status::InvalidArgument("malformed query in a batch part");
      if (!key->empty()) part.request.query.emplace(*key, *val);
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    if (!SplitHeader(lines[i], name, value)) return Status::InvalidArgument("malformed header in a batch request");
    part.request.headers[name] = value;
  }
  std::string body;
  for (++i; i < lines.size(); ++i) body += std::string(lines[i]) + "\r\n";
  part.request.body = std::string(Trim(body));
  return part;
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  std::string lower = AsciiLower(content_type);
  if (lower.rfind("multipart/", 0) != 0) return Status::InvalidArgument("Content-Type must be multipart/mixed");
  std::size_t at = lower.find("boundary=");
  if (at == std::string::npos) return Status::InvalidArgument("multipart Content-Type without a boundary");
  std::string_view rest = content_type.substr(at + 9);
  std::string boundary;
  if (!rest.empty() && rest.front() == '"') {
    std::size_t close = rest.find('"', 1);
    if (close == std::string_view::npos) return Status::InvalidArgument("unterminated quoted boundary");
    boundary = std::string(rest.substr(1, close - 1));
  } else {
    boundary = std::string(Trim(rest.substr(0, rest.find(';'))));
  }
  if (boundary.empty() || boundary.size() > 70) return Status::InvalidArgument("invalid multipart boundary");
  return boundary;
}

Result<std::vector<BatchPart>> ParseBatch(std::string_view content_type, std::string_view body) {
  auto boundary = MultipartBoundary(content_type);
  if (!boundary.ok()) return boundary.status();
  const std::string open = "--" + boundary.value();
  const std::string close = open + "--";
  std::vector<BatchPart> parts;
  std::vector<std::string_view> current;
  bool in_part = false, closed = false;
  auto finish = [&]() -> Status {
    if (!in_part) return Status::Ok();
    auto part = ParsePart(current);
    if (!part.ok()) return part.status();
    parts.push_back(std::move(part.value()));
    current.clear();
    return Status::Ok();
  };
  for (std::string_view line : Lines(body)) {
    std::string_view trimmed = Trim(line);
    if (trimmed == close) {
      if (Status s = finish(); !s.ok()) return s;
      closed = true;
      break;
    }
    if (trimmed == open) {
      if (Status s = finish(); !s.ok()) return s;
      in_part = true;
      continue;
    }
    if (in_part) current.push_back(line);
  }
  if (!closed) return Status::InvalidArgument("multipart body without its closing boundary");
  return parts;
}

std::string RenderBatchResponse(const std::string& boundary,
                                const std::vector<std::pair<std::string, HttpResponse>>& answers) {
  std::string out;
  for (const auto& [content_id, response] : answers) {
    out += fmt::format("--{}\r\nContent-Type: application/http\r\nContent-ID: <response-{}>\r\n\r\n", boundary, content_id);
    out += fmt::format("HTTP/1.1 {} {}\r\n", response.status, Reason(response.status));
    for (const auto& [name, value] : response.headers) out += fmt::format("{}: {}\r\n", name, value);
    out += fmt::format("Content-Length: {}\r\n\r\n{}\r\n", response.body.size(), response.body);
  }
  out += fmt::format("--{}--\r\n", boundary);
  return out;
}

}  // namespace crmsync::sim::google

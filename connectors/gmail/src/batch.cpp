// Gmail batch: multipart/mixed request body and response parser (RFC 2046
// §5.1 as Google's batch endpoint uses it, API-FACTS §7).
#include <fmt/format.h>

#include <charconv>

#include "crmsync/gmail/batch.hpp"

namespace crmsync::gmail {
namespace {

constexpr std::size_t kMaxBoundary = 70;  // RFC 2046

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The line starting at `pos` without its CRLF / LF; `pos` moves past it.
std::string_view NextLine(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  const std::size_t nl = text.find('\n', pos);
  std::size_t end = nl == std::string_view::npos ? text.size() : nl;
  pos = nl == std::string_view::npos ? text.size() : nl + 1;
  if (end > start && text[end - 1] == '\r') --end;
  return text.substr(start, end - start);
}

// The boundary parameter of a multipart Content-Type, unquoted.
std::string BoundaryOf(std::string_view content_type) {
  const std::string lower = LowerCopy(content_type);
  std::size_t at = 0;
  while ((at = lower.find("boundary", at)) != std::string::npos) {
    // Must be a parameter name: preceded by ';' or blank, followed by '='.
    const bool starts = at > 0 && (lower[at - 1] == ';' || lower[at - 1] == ' ' || lower[at - 1] == '\t');
    std::size_t eq = at + 8;
    while (eq < lower.size() && (lower[eq] == ' ' || lower[eq] == '\t')) ++eq;
    if (!starts || eq >= lower.size() || lower[eq] != '=') {
      at += 8;
      continue;
    }
    std::string_view rest = Trim(content_type.substr(eq + 1));
    if (!rest.empty() && rest.front() == '"') {
      std::string value;
      for (std::size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i];
      }
      return value;
    }
    const std::size_t end = rest.find_first_of("; \t");
    return std::string(rest.substr(0, end));
  }
  return {};
}

// Headers up to the blank line; `pos` moves past the blank line. False when
// the text ends before one.
bool ReadHeaders(std::string_view text, std::size_t& pos,
                 std::vector<std::pair<std::string, std::string>>& headers) {
  while (pos < text.size()) {
    std::string_view line = NextLine(text, pos);
    if (line.empty()) return true;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      // A value without a name: tolerated, as Google's samples write
      // "Content-Type application/json".
      const std::size_t space = line.find(' ');
      headers.emplace_back(LowerCopy(line.substr(0, space)),
                           space == std::string_view::npos ? std::string() : std::string(Trim(line.substr(space))));
      continue;
    }
    headers.emplace_back(LowerCopy(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  return false;
}

Status ParsePart(std::string_view part, std::size_t index, BatchResponsePart& out) {
  std::size_t pos = 0;
  std::vector<std::pair<std::string, std::string>> part_headers;
  if (!ReadHeaders(part, pos, part_headers)) {
    return Status::Corruption(fmt::format("Gmail batch response: part {}: headers without a blank line", index));
  }
  for (const auto& [name, value] : part_headers) {
    if (name != "content-id") continue;
    std::string_view id = Trim(value);
    if (!id.empty() && id.front() == '<') id.remove_prefix(1);
    if (!id.empty() && id.back() == '>') id.remove_suffix(1);
    if (id.substr(0, 9) == "response-") id.remove_prefix(9);
    out.content_id.assign(id);
  }
  // Blank lines before the status line are tolerated.
  std::string_view status_line;
  while (pos < part.size() && status_line.empty()) status_line = NextLine(part, pos);
  if (status_line.substr(0, 5) != "HTTP/") {
    return Status::Corruption(fmt::format("Gmail batch response: part {}: missing HTTP status line", index));
  }
  const std::size_t space = status_line.find(' ');
  std::string_view code = space == std::string_view::npos ? std::string_view() : Trim(status_line.substr(space + 1));
  code = code.substr(0, code.find(' '));
  long status = 0;
  auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
  if (code.size() != 3 || ec != std::errc() || end != code.data() + code.size() || status < 100) {
    return Status::Corruption(fmt::format("Gmail batch response: part {}: malformed HTTP status line", index));
  }
  out.status = status;
  // A part that ends right after its headers has an empty body.
  ReadHeaders(part, pos, out.headers);
  out.body.assign(part.substr(std::min(pos, part.size())));
  return Status::Ok();
}

}  // namespace

Result<std::string> BuildBatchRequest(std::string_view boundary, const std::vector<BatchRequestPart>& parts) {
  if (parts.empty()) return Status::InvalidArgument("Gmail batch: no parts");
  if (parts.size() > kMaxBatchParts) {
    return Status::InvalidArgument(fmt::format("Gmail batch: {} parts, at most {}", parts.size(), kMaxBatchParts));
  }
  if (boundary.empty() || boundary.size() > kMaxBoundary) {
    return Status::InvalidArgument("Gmail batch: boundary must have 1 to 70 characters");
  }
  std::string body;
  for (const BatchRequestPart& part : parts) {
    if (part.path.find(boundary) != std::string::npos || part.content_id.find(boundary) != std::string::npos) {
      return Status::InvalidArgument("Gmail batch: boundary occurs in a part");
    }
    body += fmt::format("--{}\r\nContent-Type: application/http\r\nContent-ID: <{}>\r\n\r\nGET {}\r\n\r\n", boundary,
                        part.content_id, part.path);
  }
  body += fmt::format("--{}--\r\n", boundary);
  return body;
}

Result<std::vector<BatchResponsePart>> ParseBatchResponse(std::string_view content_type, std::string_view body) {
  const std::string boundary = BoundaryOf(content_type);
  if (boundary.empty() || boundary.size() > kMaxBoundary) {
    return Status::Corruption("Gmail batch response: Content-Type has no usable multipart boundary");
  }
  const std::string delimiter = "--" + boundary;
  // Delimiters count only at the start of a line.
  auto find_delimiter = [&](std::size_t from) {
    for (std::size_t at = body.find(delimiter, from); at != std::string_view::npos;
         at = body.find(delimiter, at + 1)) {
      if (at == 0 || body[at - 1] == '\n') return at;
    }
    return std::string_view::npos;
  };
  std::size_t at = find_delimiter(0);
  if (at == std::string_view::npos) return Status::Corruption("Gmail batch response: no multipart delimiter");
  std::vector<BatchResponsePart> parts;
  while (true) {
    std::size_t pos = at + delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    NextLine(body, pos);                     // transport padding after the delimiter
    const std::size_t next = find_delimiter(pos);
    if (next == std::string_view::npos) {
      return Status::Corruption("Gmail batch response: missing closing delimiter");
    }
    // The line break before a delimiter belongs to the delimiter.
    std::size_t part_end = next;
    if (part_end > pos && body[part_end - 1] == '\n') --part_end;
    if (part_end > pos && body[part_end - 1] == '\r') --part_end;
    BatchResponsePart part;
    if (Status s = ParsePart(body.substr(pos, part_end - pos), parts.size(), part); !s.ok()) return s;
    parts.push_back(std::move(part));
    at = next;
  }
  if (parts.empty()) return Status::Corruption("Gmail batch response: no parts");
  return parts;
}

}  // namespace crmsync::gmail

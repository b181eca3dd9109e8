#include "sf_error.hpp"

#include <iterator>

#include <fmt/format.h>
#include <simdjson.h>

namespace crmsync::sim::sf {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0.
std::size_t ValidSequenceLength(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t n = 0;
  if (lead >= 0xC2 && lead <= 0xDF) n = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) n = 3;
  else if (lead >= 0xF0 && lead <= 0xF4) n = 4;
  else return 0;
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(i + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;   // overlong
  if (lead == 0xED && second > 0x9F) return 0;   // surrogate
  if (lead == 0xF0 && second < 0x90) return 0;   // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;   // beyond U+10FFFF
  return n;
}

void AppendEscaped(std::string& out, std::string_view text, bool valid_utf8) {
  std::size_t run_start = 0;
  auto flush = [&](std::size_t end) { out.append(text.substr(run_start, end - run_start)); };
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || valid_utf8)) {
      ++i;
      continue;
    }
    if (c >= 0x80) {   // only reached when the text may hold invalid UTF-8
      std::size_t n = ValidSequenceLength(text, i);
      if (n != 0) {
        i += n;
        continue;
      }
      flush(i);
      out.append("\xEF\xBF\xBD");
      run_start = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
    }
    run_start = ++i;
  }
  flush(text.size());
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  AppendEscaped(out, text, simdjson::validate_utf8(text.data(), text.size()));
  out.push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendJsonString(out, text);
  return out;
}

namespace {

void AppendFields(std::string& out, const std::vector<std::string>& fields) {
  out.push_back('[');
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out.push_back(',');
    AppendJsonString(out, fields[i]);
  }
  out.push_back(']');
}

}  // namespace

std::string RestErrorBody(const SfError& error) {
  std::string out = "[{\"message\":";
  AppendJsonString(out, error.message);
  out.append(",\"errorCode\":");
  AppendJsonString(out, error.code);
  if (!error.fields.empty()) {
    out.append(",\"fields\":");
    AppendFields(out, error.fields);
  }
  out.append("}]");
  return out;
}

void AppendFailedRecord(std::string& out, const std::vector<SfError>& errors) {
  out.append("{\"success\":false,\"errors\":[");
  for (std::size_t k = 0; k < errors.size(); ++k) {
    if (k != 0) out.push_back(',');
    AppendRecordError(out, errors[k]);
  }
  out.append("]}");
}

void AppendRecordError(std::string& out, const SfError& error) {
  out.append("{\"statusCode\":");
  AppendJsonString(out, error.code);
  out.append(",\"message\":");
  AppendJsonString(out, error.message);
  out.append(",\"fields\":");
  AppendFields(out, error.fields);
  out.push_back('}');
}

}  // namespace crmsync::sim::sf

// Escaping of a string for a JSON string literal (RFC 8259 section 7). fmt
// builds the JSON; its "{:?}" escapes C++-style, which JSON does not accept.
#pragma once

#include <string>
#include <string_view>

#include <fmt/core.h>

namespace crmsync::sim {

inline std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace crmsync::sim

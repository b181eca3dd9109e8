#include "crmsync/engine/text.hpp"

namespace crmsync::engine {
namespace {

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++count;
  }
  return count;
}

std::string_view TruncateCodePoints(std::string_view utf8, std::size_t max_code_points) {
  // A code point takes at least one byte: most subjects and bodies are
  // within the limit in bytes already, and need no scan.
  if (utf8.size() <= max_code_points) return utf8;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if (IsContinuation(static_cast<unsigned char>(utf8[i]))) continue;
    if (seen == max_code_points) return utf8.substr(0, i);
    ++seen;
  }
  return utf8;
}

void AssignAsciiLower(std::string& out, std::string_view text) {
  out.assign(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

std::string AsciiLower(std::string_view text) {
  std::string out;
  AssignAsciiLower(out, text);
  return out;
}

}  // namespace crmsync::engine

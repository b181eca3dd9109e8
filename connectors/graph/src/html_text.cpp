#include "crmsync/graph/html_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace crmsync::graph {
namespace {

constexpr std::size_t kMaxEntityLength = 10;  // "&#x10FFFF;" is the longest we decode
constexpr int kMaxBlankLines = 2;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != prefix[i]) return false;
  }
  return true;
}

// Position just past "</name ...>" at or after `from`, or npos.
std::size_t FindClosingTag(std::string_view html, std::size_t from, std::string_view name) {
  for (std::size_t pos = html.find("</", from); pos != std::string_view::npos;
       pos = html.find("</", pos + 2)) {
    if (StartsWithNoCase(html.substr(pos + 2), name)) {
      const std::size_t end = html.find('>', pos);
      return end == std::string_view::npos ? end : end + 1;
    }
  }
  return std::string_view::npos;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity name between '&' and ';'. False when unknown.
bool DecodeEntity(std::string_view name, std::string& out) {
  struct Named {
    std::string_view name;
    std::string_view text;
  };
  static constexpr std::array<Named, 6> kNamed{{{"amp", "&"},
                                                {"lt", "<"},
                                                {"gt", ">"},
                                                {"quot", "\""},
                                                {"apos", "'"},
                                                {"nbsp", " "}}};
  for (const auto& entry : kNamed) {
    if (name == entry.name) {
      out.append(entry.text);
      return true;
    }
  }
  if (name.size() < 2 || name[0] != '#') return false;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  const std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty()) return false;
  std::uint32_t cp = 0;
  for (char c : digits) {
    std::uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (hex && AsciiLower(c) >= 'a' && AsciiLower(c) <= 'f') {
      digit = static_cast<std::uint32_t>(AsciiLower(c) - 'a' + 10);
    } else {
      return false;
    }
    cp = cp * (hex ? 16 : 10) + digit;
    if (cp > 0x10FFFF) cp = 0x110000;  // saturate: becomes U+FFFD
  }
  AppendUtf8(out, cp);
  return true;
}

// Accumulates text while applying HTML's white-space collapsing: runs of
// spaces become one, line breaks come only from tags.
class TextBuilder {
 public:
  explicit TextBuilder(std::size_t hint) { out_.reserve(hint); }

  void Space() { pending_space_ = true; }
  void LineBreak() { pending_breaks_ = std::min(pending_breaks_ + 1, kMaxBlankLines); }
  void BlockBoundary() { pending_breaks_ = std::max(pending_breaks_, 1); }

  void Text(std::string_view text) {
    Flush();
    out_.append(text);
  }
  void Char(char c) {
    Flush();
    out_.push_back(c);
  }
  std::string Take() { return std::move(out_); }

 private:
  void Flush() {
    if (!out_.empty()) {
      if (pending_breaks_ > 0) {
        out_.append(static_cast<std::size_t>(pending_breaks_), '\n');
      } else if (pending_space_) {
        out_.push_back(' ');
      }
    }
    pending_breaks_ = 0;
    pending_space_ = false;
  }

  std::string out_;
  int pending_breaks_ = 0;
  bool pending_space_ = false;
};

bool IsBlockTag(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kBlocks{
      "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
      "blockquote", "hr", "pre"};
  return std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end();
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  TextBuilder text(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        const std::size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      const std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;  // unterminated tag: drop the rest
      std::size_t name_begin = i + 1;
      const bool closing = name_begin < end && html[name_begin] == '/';
      if (closing) ++name_begin;
      std::size_t name_end = name_begin;
      while (name_end < end && !IsHtmlSpace(html[name_end]) && html[name_end] != '/' &&
             html[name_end] != '>') {
        ++name_end;
      }
      std::string name(html.substr(name_begin, name_end - name_begin));
      std::transform(name.begin(), name.end(), name.begin(), AsciiLower);
      i = end + 1;
      if (!closing && (name == "script" || name == "style" || name == "head" || name == "title")) {
        const std::size_t after = FindClosingTag(html, i, name);
        i = after == std::string_view::npos ? html.size() : after;
        continue;
      }
      if (name == "br") {
        text.LineBreak();
      } else if (IsBlockTag(name)) {
        text.BlockBoundary();
      } else if (name == "td" || name == "th") {
        text.Space();
      }
      continue;
    }
    if (c == '&') {
      const std::size_t semi = html.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i - 1 <= kMaxEntityLength) {
        std::string decoded;
        if (DecodeEntity(html.substr(i + 1, semi - i - 1), decoded)) {
          text.Text(decoded);
          i = semi + 1;
          continue;
        }
      }
      text.Char(c);
      ++i;
      continue;
    }
    if (IsHtmlSpace(c)) {
      text.Space();
    } else {
      text.Char(c);
    }
    ++i;
  }
  return text.Take();
}

}  // namespace crmsync::graph

// ParseAddressList: RFC 5322 address-list header values as mail clients
// actually write them (display names, quoted strings with commas, comments,
// groups), tolerant of what they get wrong.
#include <string>

#include "crmsync/gmail/gmail.hpp"

namespace crmsync::gmail {
namespace {

std::string_view Trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// One mailbox: `display` is the text outside <...> with quotes and comments
// removed; `angle` the text inside the last <...>, if any.
struct Mailbox {
  std::string display;
  std::string angle;
  bool has_angle = false;
  std::string bare;  // the text outside quotes/comments/brackets, as written (for addr-spec only)
};

void Flush(Mailbox& box, std::vector<Participant>& out) {
  Participant p;
  if (box.has_angle) {
    p.address = std::string(Trim(box.angle));
    p.name = std::string(Trim(box.display));
  } else {
    // addr-spec alone: quotes in the local part stay, blanks do not.
    std::string address;
    for (char c : box.bare) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') address += c;
    }
    p.address = std::move(address);
  }
  if (!p.address.empty() && p.address.find('@') != std::string::npos) out.push_back(std::move(p));
  box = Mailbox{};
}

}  // namespace

std::vector<Participant> ParseAddressList(std::string_view value) {
  std::vector<Participant> out;
  Mailbox box;
  std::size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c == '"') {
      // Quoted string: part of a display name (or of a local part).
      ++i;
      std::string quoted;
      while (i < value.size() && value[i] != '"') {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        quoted += value[i];
        ++i;
      }
      ++i;  // closing quote (or end)
      box.display += quoted;
      box.bare += '"' + quoted + '"';
    } else if (c == '(') {
      // Comment, possibly nested; dropped.
      int depth = 0;
      while (i < value.size()) {
        if (value[i] == '\\' && i + 1 < value.size()) {
          i += 2;
          continue;
        }
        if (value[i] == '(') ++depth;
        if (value[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
        ++i;
      }
      box.display += ' ';
    } else if (c == '<') {
      ++i;
      std::string angle;
      while (i < value.size() && value[i] != '>') angle += value[i++];
      ++i;
      box.angle = std::move(angle);
      box.has_angle = true;
    } else if (c == ',' || c == ';') {
      Flush(box, out);
      ++i;
    } else if (c == ':' && !box.has_angle) {
      // Group "name: a, b;": what came before the colon is the group's name.
      box = Mailbox{};
      ++i;
    } else {
      box.display += c;
      box.bare += c;
      ++i;
    }
  }
  Flush(box, out);
  // Collapse runs of blanks that quoting and comments leave in names.
  for (Participant& p : out) {
    std::string name;
    for (char c : p.name) {
      const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
      if (blank && (name.empty() || name.back() == ' ')) continue;
      name += blank ? ' ' : c;
    }
    while (!name.empty() && name.back() == ' ') name.pop_back();
    p.name = std::move(name);
  }
  return out;
}

}  // namespace crmsync::gmail

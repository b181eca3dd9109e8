#include "mail_window.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/core.h>

namespace crmsync::sim {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// One "receivedDateTime <op> <ISO>" term into `window`.
bool ApplyTerm(std::string_view term, ReceivedWindow& window, std::string& error) {
  term = TrimSpaces(term);
  constexpr std::string_view kProperty = "receivedDateTime ";
  if (term.substr(0, kProperty.size()) != kProperty) {
    error = fmt::format("only receivedDateTime ge/lt is supported, not '{}'", term);
    return false;
  }
  term.remove_prefix(kProperty.size());
  const std::string_view op = term.substr(0, 3);
  if (op != "ge " && op != "lt ") {
    error = fmt::format("operator '{}' on receivedDateTime is not supported (ge, lt)", TrimSpaces(term.substr(0, 2)));
    return false;
  }
  const auto when = ParseIsoUtc(TrimSpaces(term.substr(3)));
  if (!when) {
    error = fmt::format("'{}' is not a DateTimeOffset", TrimSpaces(term.substr(3)));
    return false;
  }
  auto& bound = op == "ge " ? window.since : window.until;
  if (bound) {
    error = fmt::format("receivedDateTime {}is given twice", op);
    return false;
  }
  bound = *when;
  return true;
}

}  // namespace

std::optional<std::int64_t> ParseIsoUtc(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const std::string_view year = text.substr(0, 4), month = text.substr(5, 2), day = text.substr(8, 2);
  if (!AllDigits(year) || !AllDigits(month) || !AllDigits(day)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = Number(year) - 1900;
  tm.tm_mon = Number(month) - 1;
  tm.tm_mday = Number(day);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
  if (text.size() > 10) {
    if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
      return std::nullopt;
    }
    const std::string_view h = text.substr(11, 2), m = text.substr(14, 2), s = text.substr(17, 2);
    if (!AllDigits(h) || !AllDigits(m) || !AllDigits(s)) return std::nullopt;
    const std::string_view fraction = text.substr(19, text.size() - 20);
    if (!fraction.empty() && (fraction[0] != '.' || !AllDigits(fraction.substr(1)))) return std::nullopt;
    tm.tm_hour = Number(h);
    tm.tm_min = Number(m);
    tm.tm_sec = Number(s);
    if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::optional<ReceivedWindow> ParseReceivedFilter(std::string_view filter, std::string& error) {
  ReceivedWindow window;
  filter = TrimSpaces(filter);
  if (filter.empty()) {
    error = "the filter is empty";
    return std::nullopt;
  }
  const std::size_t join = filter.find(" and ");
  if (!ApplyTerm(filter.substr(0, join), window, error)) return std::nullopt;
  if (join != std::string_view::npos && !ApplyTerm(filter.substr(join + 5), window, error)) return std::nullopt;
  return window;
}

std::vector<MessageHeader> MessagesReceivedIn(const Corpus& corpus, int tenant, int user, Folder folder,
                                              const ReceivedWindow& window) {
  const Epochs epochs = corpus.epochs();
  std::vector<MessageHeader> out;
  ViewCursor cursor{0, 0, 0};
  while (auto header = corpus.NextInView(tenant, user, folder, static_cast<int>(epochs.size()), epochs, cursor)) {
    if (window.Contains(header->received)) out.push_back(std::move(*header));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const MessageHeader& a, const MessageHeader& b) { return a.received < b.received; });
  return out;
}

}  // namespace crmsync::sim

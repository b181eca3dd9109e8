#include "ews/ews_find_item.hpp"

#include <fmt/core.h>

#include "text_util.hpp"

namespace crmsync::sim::ews {
namespace {

constexpr std::string_view kReceived = "item:DateTimeReceived";

bool ApplyComparison(Node comparison, ReceivedWindow& window, std::string& error) {
  const bool lower = Is(comparison, kTypes, "IsGreaterThanOrEqualTo");
  if (!lower && !Is(comparison, kTypes, "IsLessThan")) {
    error = fmt::format("t:{} is not supported (IsGreaterThanOrEqualTo, IsLessThan)", LocalNameOf(comparison));
    return false;
  }
  const std::string field = AttributeOf(Child(comparison, kTypes, "FieldURI"), "FieldURI");
  if (field != kReceived) {
    error = fmt::format("a restriction on '{}' is not supported (item:DateTimeReceived only)", field);
    return false;
  }
  Node constant = Child(Child(comparison, kTypes, "FieldURIOrConstant"), kTypes, "Constant");
  const std::string value = AttributeOf(constant, "Value");
  const auto when = ParseIsoUtc(value);
  if (!when) {
    error = fmt::format("'{}' is not a valid xs:dateTime constant", value);
    return false;
  }
  auto& bound = lower ? window.since : window.until;
  if (bound) {
    error = fmt::format("t:{} on item:DateTimeReceived is given twice", LocalNameOf(comparison));
    return false;
  }
  bound = *when;
  return true;
}

}  // namespace

std::optional<ReceivedWindow> ParseReceivedRestriction(Node restriction, std::string& error) {
  ReceivedWindow window;
  if (restriction == nullptr) return window;
  std::vector<Node> top = ElementChildren(restriction);
  if (top.size() != 1) {
    error = "m:Restriction must hold exactly one search expression";
    return std::nullopt;
  }
  std::vector<Node> comparisons = Is(top[0], kTypes, "And") ? ElementChildren(top[0]) : top;
  if (comparisons.empty() || comparisons.size() > 2) {
    error = "t:And must hold one or two comparisons";
    return std::nullopt;
  }
  for (Node comparison : comparisons) {
    if (!ApplyComparison(comparison, window, error)) return std::nullopt;
  }
  return window;
}

std::optional<IndexedPage> ParseIndexedPage(Node view, std::string& error) {
  if (view == nullptr) {
    error = "FindItem requires a paging view (the simulator supports IndexedPageItemView)";
    return std::nullopt;
  }
  if (AttributeOf(view, "BasePoint") != "Beginning") {
    error = fmt::format("BasePoint '{}' is not supported (Beginning)", AttributeOf(view, "BasePoint"));
    return std::nullopt;
  }
  IndexedPage page;
  const auto offset = ParseUint(AttributeOf(view, "Offset"));
  if (!offset) {
    error = fmt::format("Offset '{}' is not a non-negative integer", AttributeOf(view, "Offset"));
    return std::nullopt;
  }
  page.offset = *offset;
  const std::string max = AttributeOf(view, "MaxEntriesReturned");
  if (!max.empty()) {
    const auto n = ParseUint(max);
    if (!n || *n < 1) {
      error = fmt::format("MaxEntriesReturned '{}' is not a positive integer", max);
      return std::nullopt;
    }
    page.max_entries = *n;
  }
  return page;
}

bool SortOrderSupported(Node sort_order, std::string& error) {
  if (sort_order == nullptr) return true;
  std::vector<Node> orders = Children(sort_order, kTypes, "FieldOrder");
  const bool ok = orders.size() == 1 && AttributeOf(orders[0], "Order") == "Ascending" &&
                  AttributeOf(Child(orders[0], kTypes, "FieldURI"), "FieldURI") == kReceived;
  if (!ok) error = "the simulator sorts by item:DateTimeReceived Ascending only";
  return ok;
}

}  // namespace crmsync::sim::ews

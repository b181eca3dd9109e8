// The parts of a FindItem request the simulated EWS understands: a
// Restriction on item:DateTimeReceived (IsGreaterThanOrEqualTo, IsLessThan,
// or an And of one of each) and an IndexedPageItemView from the Beginning.
// Anything else is refused by name, never ignored: ignoring a restriction
// would list mail outside a backfill's window.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ews/ews_soap.hpp"
#include "mail_window.hpp"

namespace crmsync::sim::ews {

// nullptr `restriction`: an open window. nullopt with `error` when refused.
std::optional<ReceivedWindow> ParseReceivedRestriction(Node restriction, std::string& error);

struct IndexedPage {
  std::uint64_t offset = 0;
  std::uint64_t max_entries = 0;   // 0: no limit given
};
// m:IndexedPageItemView; nullopt with `error` when absent or malformed.
std::optional<IndexedPage> ParseIndexedPage(Node view, std::string& error);

// m:SortOrder: absent, or ascending on item:DateTimeReceived (the only
// order the simulator serves). False with `error` otherwise.
bool SortOrderSupported(Node sort_order, std::string& error);

}  // namespace crmsync::sim::ews

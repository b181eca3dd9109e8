// A window of received time over one mailbox folder: what the simulated
// Graph ($filter on receivedDateTime) and EWS (FindItem with a Restriction
// on item:DateTimeReceived) list for a backfill. Both services page over
// the same ordered view, so they agree with the ground truth of
// /_sim/verify?received_since=..&received_until=.. (admin_service.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"

namespace crmsync::sim {

// [since, until) in Unix seconds; an absent bound is open.
struct ReceivedWindow {
  std::optional<std::int64_t> since;
  std::optional<std::int64_t> until;
  bool Contains(std::int64_t received) const {
    return (!since || received >= *since) && (!until || received < *until);
  }
};

// "2026-01-01T00:00:00Z" (optionally with fractional seconds) or
// "2026-01-01"; nullopt for anything else.
std::optional<std::int64_t> ParseIsoUtc(std::string_view text);

// The one $filter the simulated Graph understands on messages:
// "receivedDateTime ge <ISO>", "receivedDateTime lt <ISO>" or both joined by
// "and" (either order). nullopt with `error` naming the part it refused.
std::optional<ReceivedWindow> ParseReceivedFilter(std::string_view filter, std::string& error);

// The messages of (tenant, user, folder) up to the current epoch whose
// received time is in `window`, ordered by received time (ties in view
// order, so the order is stable while no mail arrives inside the window).
std::vector<MessageHeader> MessagesReceivedIn(const Corpus& corpus, int tenant, int user, Folder folder,
                                              const ReceivedWindow& window);

}  // namespace crmsync::sim

// libFuzzer target: Graph mail delta, users and calendar pages, plus the
// HTML-to-text helper. Any input must give a value or kCorruption, never a crash, and a
// successful delta page must hold exactly one of nextLink / deltaLink.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crmsync/graph/calendar.hpp"
#include "crmsync/graph/graph.hpp"
#include "crmsync/graph/html_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto delta = crmsync::graph::ParseDeltaPage(input);
  if (delta.ok()) {
    if (delta->next_link.empty() == delta->delta_link.empty()) std::abort();
  } else if (delta.status().code() != crmsync::StatusCode::kCorruption) {
    std::abort();
  }

  auto users = crmsync::graph::ParseUsersPage(input);
  if (!users.ok() && users.status().code() != crmsync::StatusCode::kCorruption) std::abort();

  auto calendar = crmsync::graph::ParseCalendarDeltaPage(input);
  if (!calendar.ok() && calendar.status().code() != crmsync::StatusCode::kCorruption) std::abort();
  auto schedule = crmsync::graph::ParseGetScheduleResponse(input);
  if (!schedule.ok() && schedule.status().code() != crmsync::StatusCode::kCorruption) std::abort();

  (void)crmsync::graph::HtmlToText(input);
  return 0;
}

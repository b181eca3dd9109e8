// CRMSYNC_CRASH_AT parsing and the kill itself (crash_point.hpp).
#include "crmsync/core/crash_point.hpp"

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace crmsync {
namespace {

struct Armed {
  std::string name;        // "" when disarmed (unset or malformed)
  unsigned long nth = 1;   // kill at this hit, counted from 1
};

Armed ReadArmed() {
  Armed armed;
  const char* value = std::getenv("CRMSYNC_CRASH_AT");
  if (value == nullptr || *value == '\0') return armed;
  std::string_view text(value);
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view count = text.substr(colon + 1);
    unsigned long nth = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), nth);
    // A malformed count disarms rather than guessing: the crash test then
    // sees a run that was not killed and reports the point as never hit.
    if (ec != std::errc() || end != count.data() + count.size() || nth == 0) return armed;
    armed.nth = nth;
    text = text.substr(0, colon);
  }
  armed.name = std::string(text);
  return armed;
}

const Armed& TheArmed() {
  static const Armed armed = ReadArmed();
  return armed;
}

std::atomic<unsigned long> hits{0};

}  // namespace

bool CrashPointsArmed() {
#if defined(CRMSYNC_CRASH_POINTS)
  static const bool armed = !TheArmed().name.empty();
  return armed;
#else
  return false;
#endif
}

void CrashPointHit(const char* name) {
  const Armed& armed = TheArmed();
  if (armed.name != name) return;
  if (hits.fetch_add(1) + 1 != armed.nth) return;
  std::raise(SIGKILL);
}

}  // namespace crmsync

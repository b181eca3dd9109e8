// Small helpers shared by the engine's stages.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace crmsync::engine {

// Wall-clock milliseconds since the epoch, for timestamps kept in the state.
inline std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// When Salesforce holds several records for one email, the smallest id
// wins, so every run and every shard picks the same WhoId or OwnerId.
inline void KeepSmallestId(std::string& slot, const std::string& id) {
  if (slot.empty() || id < slot) slot = id;
}

}  // namespace crmsync::engine

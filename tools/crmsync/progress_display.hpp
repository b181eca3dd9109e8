// How `crmsync run` and `crmsync backfill` show progress: a line redrawn in
// place on a terminal, a periodic log line on a pipe, JSON lines for
// machines, or nothing. Rendering is pure (snapshot in, text out); the
// reporter thread in run_control.cpp decides when to render.
#pragma once

#include <optional>
#include <string>

#include "crmsync/engine/run_progress.hpp"

namespace crmsync::tools {

enum class ProgressMode { kNone, kTerminal, kLog, kJson };

struct ProgressSnapshot {
  double elapsed_seconds = 0;
  bool planned = false;
  std::uint64_t users_total = 0, users_done = 0, streams_total = 0, streams_done = 0;
  std::uint64_t messages_read = 0, captured = 0, errors = 0;
  double rate_per_second = 0;             // messages read per second since the start
  std::optional<double> eta_seconds;      // unknown until a stream ended
};

ProgressSnapshot TakeSnapshot(const engine::RunProgress& progress, double elapsed_seconds);

// "users 3/40  streams 7/80  read 1234  captured 560  112.0 msg/s  ETA 0:42  errors 0"
std::string ProgressLine(const ProgressSnapshot& s);
// One JSON object, no newline; `final` marks the last line of a run.
std::string ProgressJson(const ProgressSnapshot& s, bool final);
// What to write for one tick in `mode` (may be empty); `final` is the last tick.
std::string RenderProgress(ProgressMode mode, const ProgressSnapshot& s, bool final);

}  // namespace crmsync::tools

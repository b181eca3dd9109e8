#include "progress_display.hpp"

#include <cmath>

#include <fmt/format.h>

namespace crmsync::tools {
namespace {

std::string Duration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (total >= 3600) return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

}  // namespace

ProgressSnapshot TakeSnapshot(const engine::RunProgress& progress, double elapsed_seconds) {
  ProgressSnapshot s;
  s.elapsed_seconds = elapsed_seconds;
  s.planned = progress.planned.load();
  s.users_total = progress.users_total.load();
  s.users_done = progress.users_done.load();
  s.streams_total = progress.streams_total.load();
  s.streams_done = progress.streams_done.load();
  s.messages_read = progress.messages_read.load();
  s.captured = progress.captured.load();
  s.errors = progress.errors.load();
  if (elapsed_seconds > 0) s.rate_per_second = static_cast<double>(s.messages_read) / elapsed_seconds;
  // Streams are the unit of work the run can count ahead of time; the
  // remaining ones are assumed to take as long as the finished ones did.
  if (s.streams_done > 0 && s.streams_total >= s.streams_done) {
    s.eta_seconds = elapsed_seconds * static_cast<double>(s.streams_total - s.streams_done) /
                    static_cast<double>(s.streams_done);
  }
  return s;
}

std::string ProgressLine(const ProgressSnapshot& s) {
  if (!s.planned) return "connecting...";
  return fmt::format("users {}/{}  streams {}/{}  read {}  captured {}  {:.1f} msg/s  ETA {}  errors {}",
                     s.users_done, s.users_total, s.streams_done, s.streams_total, s.messages_read, s.captured,
                     s.rate_per_second, s.eta_seconds ? Duration(*s.eta_seconds) : std::string("--"), s.errors);
}

std::string ProgressJson(const ProgressSnapshot& s, bool final) {
  return fmt::format(
      "{{\"elapsed_seconds\":{:.1f},\"planned\":{},\"users_done\":{},\"users_total\":{},\"streams_done\":{},"
      "\"streams_total\":{},\"messages_read\":{},\"captured\":{},\"rate_per_second\":{:.1f},\"eta_seconds\":{},"
      "\"errors\":{},\"final\":{}}}",
      s.elapsed_seconds, s.planned, s.users_done, s.users_total, s.streams_done, s.streams_total, s.messages_read,
      s.captured, s.rate_per_second, s.eta_seconds ? fmt::format("{:.0f}", *s.eta_seconds) : std::string("null"),
      s.errors, final);
}

std::string RenderProgress(ProgressMode mode, const ProgressSnapshot& s, bool final) {
  switch (mode) {
    case ProgressMode::kNone:
      return {};
    case ProgressMode::kTerminal:
      // Carriage return + erase line: the display stays on one line, and the
      // final tick leaves it in place for the summary below.
      return fmt::format("\r\x1b[2K{}{}{}", ProgressLine(s),
                         s.planned ? std::string() : "  elapsed " + Duration(s.elapsed_seconds), final ? "\n" : "");
    case ProgressMode::kLog:
      return fmt::format("crmsync progress{}: {}  elapsed {}\n", final ? " (final)" : "", ProgressLine(s),
                         Duration(s.elapsed_seconds));
    case ProgressMode::kJson:
      return ProgressJson(s, final) + "\n";
  }
  return {};
}

}  // namespace crmsync::tools

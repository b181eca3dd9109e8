#include "run_control.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace crmsync::tools {
namespace {

// Process-wide, because signal handlers are: the engine reads it through
// RunOptions::stop. Lock-free, so storing from a handler is safe.
std::atomic<int> g_stop{0};
volatile sig_atomic_t g_signal = 0;
static_assert(std::atomic<int>::is_always_lock_free);

constexpr auto kTick = std::chrono::milliseconds(100);
constexpr double kTerminalRedrawSeconds = 1.0;

extern "C" void OnStopSignal(int signal) {
  g_signal = signal;
  int expected = 0;
  g_stop.compare_exchange_strong(expected, static_cast<int>(engine::StopReason::kSignal));
}

void InstallHandlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  // The first signal drains; the handler is then reset, so a second one
  // ends the process the usual way (its state stays consistent: kill -9 safe).
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

ProgressMode ChooseMode(const RunControlFlags& flags) {
  if (flags.quiet) return ProgressMode::kNone;
  if (flags.json_progress) return ProgressMode::kJson;
  return ::isatty(STDERR_FILENO) ? ProgressMode::kTerminal : ProgressMode::kLog;
}

}  // namespace

void AddRunControlFlags(CLI::App& command, RunControlFlags& flags) {
  command.add_option("--max-duration", flags.max_duration_seconds,
                     "Stop starting new pages after SECONDS, finish and commit the pages in flight, exit 0 "
                     "reporting the streams not finished (0: no bound)")
      ->check(CLI::Range(0.0, 31536000.0));
  command.add_flag("--quiet", flags.quiet, "No progress and no summary");
  command.add_flag("--json-progress", flags.json_progress, "Progress as JSON lines on stderr");
  command.add_option("--progress-interval", flags.progress_interval_seconds,
                     "Seconds between progress lines on a pipe or with --json-progress (default 10)")
      ->check(CLI::Range(0.05, 86400.0));
}

RunControl::RunControl(const RunControlFlags& flags)
    : flags_(flags), mode_(ChooseMode(flags)), start_(std::chrono::steady_clock::now()) {
  g_stop = 0;
  g_signal = 0;
  InstallHandlers();
  reporter_ = std::thread([this] { Loop(); });
}

RunControl::~RunControl() { Finish(); }

const std::atomic<int>* RunControl::stop() const { return &g_stop; }

double RunControl::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RunControl::Write(const std::string& text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

void RunControl::Loop() {
  const double interval = mode_ == ProgressMode::kTerminal ? kTerminalRedrawSeconds : flags_.progress_interval_seconds;
  double next_tick = mode_ == ProgressMode::kTerminal ? 0 : interval;
  std::unique_lock lock(mutex_);
  while (!finished_) {
    wake_.wait_for(lock, kTick);
    if (finished_) break;
    const double elapsed = Elapsed();
    if (flags_.max_duration_seconds > 0 && elapsed >= flags_.max_duration_seconds) {
      int expected = 0;
      g_stop.compare_exchange_strong(expected, static_cast<int>(engine::StopReason::kDeadline));
    }
    AnnounceStop();
    if (mode_ != ProgressMode::kNone && elapsed >= next_tick) {
      Write(RenderProgress(mode_, TakeSnapshot(progress_, elapsed), false));
      next_tick = elapsed + interval;
    }
  }
}

// Reporter thread while it runs, then the main thread after joining it.
void RunControl::AnnounceStop() {
  if (announced_ || g_stop.load() == 0) return;
  announced_ = true;
  if (mode_ == ProgressMode::kNone) return;
  const std::string why = g_stop.load() == static_cast<int>(engine::StopReason::kSignal)
                              ? fmt::format("{} received", g_signal == SIGINT ? "SIGINT" : "SIGTERM")
                              : std::string("--max-duration reached");
  Write(fmt::format("{}crmsync: {}: finishing the pages in flight, then committing\n",
                    mode_ == ProgressMode::kTerminal ? "\r\x1b[2K" : "", why));
}

void RunControl::Finish() {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  wake_.notify_all();
  if (reporter_.joinable()) reporter_.join();
  AnnounceStop();   // a drain quicker than one tick is still announced
  Write(RenderProgress(mode_, TakeSnapshot(progress_, Elapsed()), true));
}

}  // namespace crmsync::tools

// The process side of a bounded run: SIGTERM / SIGINT and --max-duration
// ask the engine to drain (RunOptions::stop), and a reporter thread shows
// the run's progress (progress_display.hpp) while the engine works.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "crmsync/engine/run_progress.hpp"
#include "progress_display.hpp"

namespace crmsync::tools {

// Flags shared by `run` and `backfill`.
struct RunControlFlags {
  double max_duration_seconds = 0;   // 0: no bound
  bool quiet = false;                // no progress, no summary
  bool json_progress = false;        // JSON lines on stderr
  double progress_interval_seconds = 10;   // log and JSON lines; the terminal redraws every second
};
void AddRunControlFlags(CLI::App& command, RunControlFlags& flags);

// One per process. The constructor installs the SIGTERM / SIGINT handlers
// (a handler only stores into an atomic; the first signal drains, a second
// one kills as usual) and starts the reporter thread; Finish() prints the
// last progress tick and joins it. Not copyable; methods are called from the
// main thread only.
class RunControl {
 public:
  explicit RunControl(const RunControlFlags& flags);
  ~RunControl();
  RunControl(const RunControl&) = delete;
  RunControl& operator=(const RunControl&) = delete;

  const std::atomic<int>* stop() const;
  engine::RunProgress* progress() { return &progress_; }
  void Finish();

 private:
  void Loop();
  void Write(const std::string& text);
  void AnnounceStop();
  double Elapsed() const;

  RunControlFlags flags_;
  ProgressMode mode_ = ProgressMode::kNone;
  engine::RunProgress progress_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  bool announced_ = false;   // the stop was reported (reporter thread, then main after join)
  std::thread reporter_;
};

}  // namespace crmsync::tools

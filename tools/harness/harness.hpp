// Process harness for the integration tests and crmsync-bench: starts crmsync-sim and crmsync as real processes
// and talks to the simulator's /_sim/ admin surface over HTTPS.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace crmsync::harness {

std::string SimBinary();
std::string CrmsyncBinary();
std::string BenchBinary();

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);

// Sets `key = value` in the [engine] table of the configuration at
// `config_path` (the simulator writes that table with the defaults left out).
void SetEngineOption(const std::string& config_path, const std::string& key, const std::string& value);

// A simulator configuration (which has no [tenants.capture] table) with a
// [tenants.capture] table holding `settings` (TOML lines) in every tenant.
std::string WithCapture(const std::string& config, const std::string& settings);

// How much longer a test waits for time-bound behaviour (token lifetimes):
// CRMSYNC_TEST_TIME_SCALE under sanitizers (tools/test --tsan), else 1. The
// simulator's --token-ttl is scaled by it already.
long TestTimeScale();

class SimProcess {
 public:
  // Starts crmsync-sim in `dir` with --listen 127.0.0.1:0, --port-file,
  // --write-config and --ca-dir added to `args`; waits until it listens.
  SimProcess(const std::string& dir, std::vector<std::string> args);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  const std::string& config_path() const { return config_path_; }
  const std::string& ca_file() const { return ca_file_; }
  std::string origin() const;
  std::uint16_t port() const { return port_; }

  std::string Get(const std::string& path) const;
  std::string Post(const std::string& path, const std::string& body) const;
  // CPU seconds (user + system) the simulator has used so far.
  double CpuSeconds() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool tls_ = true;
  std::string config_path_;
  std::string ca_file_;
};

struct Verify {
  std::int64_t expected = -1, present = -1, missing = -1, duplicates = -1, unexpected = -1,
               mismatched = -1, isolation_violations = -1;
  std::string raw;
};
Verify ParseVerify(const std::string& json);

// Reads an integer at a dotted path such as "records_created",
// "tenants.tenant-1.missing" or "tenants.0.captured" (arrays by index) from a
// JSON document; -1 when absent.
std::int64_t JsonInt(const std::string& json, const std::string& dotted_path);
// The same with the path given as keys, for keys that contain dots.
std::int64_t JsonInt(const std::string& json, const std::vector<std::string>& path);

struct ProcessResult {
  int exit_code = -1;        // -1 when killed by a signal
  int signal = 0;
  std::string output;        // stdout and stderr
  double wall_seconds = 0;
  double cpu_seconds = 0;    // user + system of the process
  long max_rss_kb = 0;       // peak resident set
};

// Runs crmsync with `args` to completion (bounded by `timeout`).
ProcessResult RunCrmsync(const std::vector<std::string>& args,
                         std::chrono::seconds timeout = std::chrono::seconds(300));
// Runs any program (argv[0] is its path) to completion, bounded by `timeout`.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::seconds timeout);
// Starts crmsync and kills it with SIGKILL after `delay` unless it finished.
ProcessResult RunCrmsyncKilledAfter(const std::vector<std::string>& args, std::chrono::milliseconds delay);

}  // namespace crmsync::harness

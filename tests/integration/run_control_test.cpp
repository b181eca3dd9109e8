// Bounded and interrupted runs, the state directory lock, and the progress
// display: crmsync and crmsync-sim as real processes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "verify_checks.hpp"

extern char** environ;

using namespace crmsync::harness;

namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);

void UseSmallPages(const std::string& config_path, int page_size) {
  const std::string config = ReadFile(config_path);
  WriteFile(config_path, std::regex_replace(config, std::regex(R"(\[tenants\.(microsoft|google)\])"),
                                            "$&\npage_size = " + std::to_string(page_size)));
}

// crmsync started in the background, stdout and stderr into one file.
class Background {
 public:
  Background(const std::vector<std::string>& args, const std::string& output) : output_(output) {
    std::vector<std::string> argv = {CrmsyncBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    const int rc = posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  std::string Output() const { return ReadFile(output_); }
  // Waits until the output matches `pattern`; false when the process ended first or 60 s passed.
  bool WaitFor(const std::regex& pattern) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::regex_search(Output(), pattern)) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return std::regex_search(Output(), pattern);
      }
      std::this_thread::sleep_for(kPoll);
    }
    return false;
  }
  // Exit code (-1 when killed by a signal).
  int Wait() {
    if (pid_ > 0) {
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return exit_code_;
  }
  bool running() const { return pid_ > 0; }

 private:
  std::string output_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs crmsync on a pseudo-terminal; returns everything it wrote and its exit code.
std::pair<std::string, int> RunOnTerminal(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CrmsyncBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execv(raw[0], raw.data());
    _exit(127);
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;   // EIO once the child closed the terminal
    }
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Enough mail in small pages that a run lasts well beyond its first pages:
// about 2 s of reading on a quiet machine (with 40 messages per user it read
// everything in 0.4 s, inside the bounded run's 0.5 s).
const std::vector<std::string> kLargeCorpus = {"--seed", "21", "--tenants", "2", "--users", "120",
                                               "--messages", "200", "--providers", "graph"};

}  // namespace

TEST_CASE("SIGTERM drains: pages in flight are committed, the rest is reported, the next run finishes", "[signal]") {
  TempDir dir;
  SimProcess sim(dir.path(), kLargeCorpus);
  UseSmallPages(sim.config_path(), 4);
  const std::string state = dir.path() + "/state";
  const std::string report = dir.path() + "/report.json";
  Background run({"run", "--config", sim.config_path(), "--state", state, "--report", report, "--json-progress",
                  "--progress-interval", "0.05"},
                 dir.path() + "/run.log");
  // Some mail read: the run is in the middle of its work.
  REQUIRE(run.WaitFor(std::regex(R"("messages_read":[1-9])")));
  REQUIRE(run.running());
  REQUIRE(kill(run.pid(), SIGTERM) == 0);
  const int exit_code = run.Wait();
  const std::string output = run.Output();
  INFO(output);
  CHECK(exit_code == 3);   // partial: interrupted, nothing failed
  CHECK(output.find("SIGTERM received: finishing the pages in flight") != std::string::npos);
  const std::string json = ReadFile(report);
  CHECK(json.find("\"stopped\":\"signal\"") != std::string::npos);
  const auto not_finished = JsonInt(json, "streams_not_finished");
  CHECK(not_finished > 0);
  const auto captured_first = JsonInt(json, "totals.captured");
  CHECK(captured_first > 0);
  // What the drained run acknowledged is in Salesforce.
  const Verify partial = ParseVerify(sim.Get("/_sim/verify"));
  CHECK(partial.present >= captured_first);
  CHECK(partial.missing > 0);
  CHECK(partial.duplicates == 0);

  auto rerun = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--report", report, "--quiet"});
  INFO(rerun.output);
  REQUIRE(rerun.exit_code == 0);
  CHECK(JsonInt(ReadFile(report), "streams_not_finished") == 0);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.expected > 500);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
}

TEST_CASE("a bounded run (--max-duration) stops at the bound, commits, exits 0 and reports the rest", "[bounded]") {
  TempDir dir;
  SimProcess sim(dir.path(), kLargeCorpus);
  UseSmallPages(sim.config_path(), 4);
  const std::string state = dir.path() + "/state";
  const std::string report = dir.path() + "/report.json";
  const std::vector<std::string> bounded = {"run", "--config", sim.config_path(), "--state", state, "--report",
                                            report, "--max-duration", "0.5"};
  auto first = RunCrmsync(bounded);
  INFO(first.output);
  CHECK(first.exit_code == 0);
  CHECK(first.output.find("--max-duration reached") != std::string::npos);
  CHECK(first.output.find("streams not finished: ") != std::string::npos);
  const std::string json = ReadFile(report);
  CHECK(json.find("\"stopped\":\"max-duration\"") != std::string::npos);
  CHECK(JsonInt(json, "streams_not_finished") > 0);
  CHECK(ParseVerify(sim.Get("/_sim/verify")).missing > 0);

  // Bounded runs, one after the other, each continue where the last stopped.
  int runs = 1;
  for (; runs < 40; ++runs) {
    auto next = RunCrmsync({"run", "--config", sim.config_path(), "--state", state, "--report", report,
                            "--max-duration", "2", "--quiet"});
    INFO(next.output);
    REQUIRE(next.exit_code == 0);
    if (JsonInt(ReadFile(report), "streams_not_finished") == 0) break;
  }
  INFO("bounded runs: " << runs);
  const Verify v = ParseVerify(sim.Get("/_sim/verify"));
  INFO(v.raw);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
}

TEST_CASE("a second process on one state directory is refused naming the holder, or waits with --wait", "[lock]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "3", "--tenants", "1", "--users", "5", "--messages", "5"});
  const std::string state = dir.path() + "/state";
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", state, "--quiet"};
  REQUIRE(RunCrmsync(args).exit_code == 0);   // creates the state

  SECTION("held by a running crmsync: refused with its pid") {
    std::filesystem::create_directories(dir.path() + "/big");
    SimProcess big(dir.path() + "/big", kLargeCorpus);
    UseSmallPages(big.config_path(), 4);
    const std::string big_state = dir.path() + "/big-state";
    Background holder({"run", "--config", big.config_path(), "--state", big_state, "--json-progress",
                       "--progress-interval", "0.05"},
                      dir.path() + "/holder.log");
    REQUIRE(holder.WaitFor(std::regex(R"("planned":true)")));
    REQUIRE(holder.running());
    auto second = RunCrmsync({"run", "--config", big.config_path(), "--state", big_state, "--quiet"});
    INFO(second.output);
    CHECK(second.exit_code == 1);
    CHECK(second.output.find("is in use by another crmsync process (pid " + std::to_string(holder.pid())) !=
          std::string::npos);
    CHECK(second.output.find("--wait") != std::string::npos);
    kill(holder.pid(), SIGTERM);
    CHECK(holder.Wait() != -1);   // drained, not killed
    auto after = RunCrmsync({"run", "--config", big.config_path(), "--state", big_state, "--quiet"});
    INFO(after.output);
    CHECK(after.exit_code == 0);
    const Verify v = ParseVerify(big.Get("/_sim/verify"));
    CHECK(v.missing == 0);
    CHECK(v.duplicates == 0);
  }

  SECTION("--wait waits for the holder to let go") {
    const std::string lock_path = state + "/crmsync.lock";
    const int fd = open(lock_path.c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
    auto refused = RunCrmsync(args);
    CHECK(refused.exit_code == 1);
    CHECK(refused.output.find("in use by another crmsync process") != std::string::npos);

    auto waiting_args = args;
    waiting_args.insert(waiting_args.end(), {"--wait", "30"});
    std::thread release([fd] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      flock(fd, LOCK_UN);
    });
    auto waited = RunCrmsync(waiting_args);
    release.join();
    close(fd);
    INFO(waited.output);
    CHECK(waited.exit_code == 0);
    CHECK(waited.wall_seconds >= 0.4);

    // A bounded wait that runs out is refused, saying how long it waited.
    const int again = open(lock_path.c_str(), O_RDWR);
    REQUIRE(flock(again, LOCK_EX | LOCK_NB) == 0);
    auto short_wait = args;
    short_wait.insert(short_wait.end(), {"--wait", "0.3"});
    auto timed_out = RunCrmsync(short_wait);
    close(again);
    INFO(timed_out.output);
    CHECK(timed_out.exit_code == 1);
    CHECK(timed_out.output.find("waited 0.3 s") != std::string::npos);
  }
}

TEST_CASE("progress: redrawn in place on a terminal, one-line log on a pipe, JSON lines, nothing when quiet",
          "[progress]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "8", "--tenants", "2", "--users", "15", "--messages", "12"});
  UseSmallPages(sim.config_path(), 5);
  const std::string users_total = "30";   // 2 tenants x 15

  SECTION("terminal") {
    auto [output, code] = RunOnTerminal({"run", "--config", sim.config_path(), "--state", dir.path() + "/s1"});
    INFO(output);
    CHECK(code == 0);
    // Every redraw returns to the start of the line and clears it; the last
    // one shows every user done and stays on screen above the summary.
    CHECK(output.find("\r\x1b[2Kusers ") != std::string::npos);
    CHECK(std::regex_search(output, std::regex("\r\x1b\\[2Kusers " + users_total + "/" + users_total +
                                               "  streams (\\d+)/\\1  read [1-9]\\d*  captured [1-9]\\d*  "
                                               "[0-9.]+ msg/s  ETA [0-9:]+  errors 0\r?\n")));
    CHECK(output.find("crmsync progress") == std::string::npos);
    CHECK(output.find("crmsync run ") != std::string::npos);   // the summary follows
  }
  SECTION("pipe") {
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/s2",
                           "--progress-interval", "0.05"});
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.find('\x1b') == std::string::npos);
    CHECK(run.output.find('\r') == std::string::npos);
    int progress_lines = 0;
    const std::regex line(R"(crmsync progress( \(final\))?: (connecting\.\.\.|users \d+/\d+  streams \d+/\d+  read \d+  captured \d+  [0-9.]+ msg/s  ETA ([0-9:]+|--)  errors \d+)  elapsed [0-9:]+)");
    for (const auto& l : Lines(run.output)) {
      if (l.rfind("crmsync progress", 0) != 0) continue;
      ++progress_lines;
      CHECK(std::regex_match(l, line));
    }
    CHECK(progress_lines >= 1);
    CHECK(std::regex_search(run.output, std::regex("crmsync progress \\(final\\): users " + users_total + "/" +
                                                   users_total)));
  }
  SECTION("json lines") {
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/s3", "--json-progress",
                           "--progress-interval", "0.05"});
    INFO(run.output);
    CHECK(run.exit_code == 0);
    std::vector<std::string> json_lines;
    for (const auto& l : Lines(run.output)) {
      if (!l.empty() && l.front() == '{') json_lines.push_back(l);
    }
    REQUIRE(!json_lines.empty());
    std::int64_t last_read = 0;
    for (const auto& l : json_lines) {
      const auto read = JsonInt(l, "messages_read");
      CHECK(read >= last_read);   // every line parses and counters only grow
      last_read = read;
    }
    const std::string& final_line = json_lines.back();
    CHECK(final_line.find("\"final\":true") != std::string::npos);
    CHECK(JsonInt(final_line, "users_done") == 30);
    CHECK(JsonInt(final_line, "users_total") == 30);
    CHECK(JsonInt(final_line, "streams_done") == JsonInt(final_line, "streams_total"));
    CHECK(JsonInt(final_line, "messages_read") > 0);
    CHECK(JsonInt(final_line, "errors") == 0);
  }
  SECTION("quiet") {
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/s4", "--quiet"});
    CHECK(run.exit_code == 0);
    CHECK(run.output.empty());
  }
}

TEST_CASE("engine.max_connections_per_host caps the connections a run opens to one host", "[connections]") {
  // The simulator serves every service from one host: the cap is the run's
  // whole connection budget.
  auto connections = [](int cap) {
    TempDir dir;
    SimProcess sim(dir.path(), {"--seed", "5", "--tenants", "1", "--users", "24", "--messages", "6"});
    if (cap > 0) SetEngineOption(sim.config_path(), "max_connections_per_host", std::to_string(cap));
    const std::string report = dir.path() + "/report.json";
    auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", dir.path() + "/state", "--report", report,
                           "--quiet"});
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CheckMailExact(ParseVerify(sim.Get("/_sim/verify")));
    const std::int64_t opened = JsonInt(ReadFile(report), "transport.connections_opened");
    REQUIRE(opened >= 1);
    return opened;
  };
  CHECK(connections(1) == 1);   // every request of the run on one kept-alive connection
  CHECK(connections(0) > 4);    // the default (64) lets 48 streams read at once
}

#include "crash_driver.hpp"

#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <regex>

#include <fmt/format.h>
#include <simdjson.h>

#include "cursor_invariant.hpp"

namespace crmsync::crashtest {
namespace {

using harness::ProcessResult;

std::string SimHelp() {
  std::string out;
  const std::string command = harness::SimBinary() + " --help 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, n);
  return out;
}

// Small mailbox pages make many checkpoints, so kills land between them.
void UseSmallPages(const std::string& config_path, int page_size) {
  const std::string config = harness::ReadFile(config_path);
  harness::WriteFile(config_path, std::regex_replace(config, std::regex(R"(\[tenants\.(microsoft|google)\])"),
                                                     "$&\npage_size = " + std::to_string(page_size)));
}

// The engine's last lines, for a failure message.
std::string Tail(const std::string& output) {
  constexpr std::size_t kTail = 1500;
  return output.size() <= kTail ? output : "..." + output.substr(output.size() - kTail);
}

// Runs crmsync with CRMSYNC_CRASH_AT set for this process only.
ProcessResult RunAtCrashPoint(const std::vector<std::string>& args, const std::string& armed) {
  setenv("CRMSYNC_CRASH_AT", armed.c_str(), 1);
  ProcessResult run = harness::RunCrmsync(args, std::chrono::seconds(600));
  unsetenv("CRMSYNC_CRASH_AT");
  return run;
}

// Tenants whose Salesforce connection the state records as disconnected.
std::vector<std::string> DisconnectedCrm(const std::string& config, const std::string& state_dir) {
  ProcessResult status = harness::RunCrmsync({"status", "--config", config, "--state", state_dir, "--json"});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(status.output).get(doc)) {
    throw std::runtime_error("crmsync status --json printed no JSON: " + Tail(status.output));
  }
  std::vector<std::string> out;
  simdjson::dom::array tenants;
  if (doc["tenants"].get(tenants)) return out;
  for (auto tenant : tenants) {
    // "disconnected" with no error is a connection never tried yet.
    std::string_view id, crm, error;
    if (tenant["id"].get(id) || tenant["crm"]["status"].get(crm) || tenant["crm"]["last_error"].get(error)) continue;
    if (crm == "disconnected" && !error.empty()) out.emplace_back(id);
  }
  return out;
}

class Driver {
 public:
  Driver(const CrashTestOptions& options, std::FILE* progress)
      : options_(options), progress_(progress), rng_(options.seed) {}

  CrashTestResult Run() {
    try {
      RunOrThrow();
    } catch (const std::exception& e) {
      result_.violations.push_back(fmt::format("crash test aborted: {}", e.what()));
    }
    return result_;
  }

 private:
  void RunOrThrow() {
    std::optional<harness::TempDir> temp;
    std::string dir = options_.work_dir;
    if (dir.empty()) {
      temp.emplace();
      dir = temp->path();
    }
    std::vector<std::string> sim_args = {"--seed", std::to_string(options_.seed), "--tenants",
                                         std::to_string(options_.tenants), "--users", std::to_string(options_.users),
                                         "--messages", std::to_string(options_.messages),
                                         "--providers", options_.providers};
    if (options_.rotate_refresh_tokens) sim_args.push_back("--rotate-refresh-tokens");
    if (options_.fault_rate > 0) {
      if (SimulatorHasFaultRate(SimHelp())) {
        sim_args.insert(sim_args.end(), {"--fault-rate", fmt::format("{}", options_.fault_rate)});
        result_.faults_injected = true;
      } else {
        result_.notes += "crmsync-sim has no --fault-rate: faults NOT injected. ";
        Say("note: crmsync-sim has no --fault-rate option; running without injected faults");
      }
    }
    harness::SimProcess sim(dir, sim_args);
    sim_dir_ = dir;
    UseSmallPages(sim.config_path(), options_.page_size);
    auto tenants = TenantIds(sim.config_path());
    if (!tenants.ok()) throw std::runtime_error(tenants.status().ToString());
    const std::string state_dir = dir + "/state";
    const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", state_dir, "--quiet"};

    const auto& points = CrashPointNames();
    std::uniform_int_distribution<int> delay(options_.min_delay_ms, std::max(options_.min_delay_ms, options_.max_delay_ms));
    std::uniform_int_distribution<int> nth(1, std::max(1, options_.max_nth));
    std::size_t next_point = 0;
    // Bounded: a crash point no longer reachable (nothing left to write) must not loop forever.
    const int max_runs = options_.kills * 3 + 5;
    bool last_killed = false;
    for (int attempt = 0; result_.kills < options_.kills && attempt < max_runs; ++attempt) {
      // Every point once first, then random kills and points alternately.
      const bool use_point = attempt < static_cast<int>(points.size()) || attempt % 2 == 0;
      std::string how;
      ProcessResult run;
      if (last_killed) ++result_.restarts;
      if (use_point) {
        const std::string& point = points[next_point++ % points.size()];
        const std::string armed = fmt::format("{}:{}", point, attempt < static_cast<int>(points.size()) ? 1 : nth(rng_));
        how = "crash point " + armed;
        run = RunAtCrashPoint(args, armed);
        if (run.signal == SIGKILL) ++result_.point_kills[point];
      } else {
        const int ms = delay(rng_);
        how = fmt::format("random kill after {} ms", ms);
        run = harness::RunCrmsyncKilledAfter(args, std::chrono::milliseconds(ms));
        if (run.signal == SIGKILL) ++result_.random_kills;
      }
      ++result_.runs;
      last_killed = run.signal == SIGKILL;
      if (last_killed) ++result_.kills;
      std::string outcome = last_killed ? "killed" : fmt::format("finished (exit {})", run.exit_code);
      if (!last_killed && run.exit_code != 0 && run.exit_code != 3) {
        result_.violations.push_back(fmt::format("run {} ({}) exited {}: {}", result_.runs, how, run.exit_code,
                                                 Tail(run.output)));
      }
      const std::string check = CheckInvariant(sim, state_dir, *tenants, fmt::format("after run {}", result_.runs));
      Reconnect(sim, state_dir);
      if (!last_killed && run.exit_code == 0 && options_.advance_messages > 0) {
        // Caught up: new mail arrives, so the next kills land on an
        // incremental run that still fetches and writes.
        sim.Post("/_sim/advance", fmt::format(R"({{"messages": {}}})", options_.advance_messages));
        ++result_.advances;
      }
      Say(fmt::format("[{}/{}] run {}: {} -> {}; {}", result_.kills, options_.kills, result_.runs, how, outcome,
                      check));
    }
    if (result_.kills < options_.kills) {
      result_.violations.push_back(fmt::format("only {} of {} kills happened in {} runs (the sync finished first?)",
                                               result_.kills, options_.kills, result_.runs));
    }

    // Final runs to completion. With 5 % faults on every request, hundreds of
    // streams almost never all get through one run, so the transient faults
    // stop here; the per-record errors stay (the same keys keep failing and
    // must end in the quarantine, reported by verify as rejected).
    if (result_.faults_injected) {
      sim.Post("/_sim/faults", fmt::format(R"({{"seed":{},"rate":0,"record_errors":{}}})", options_.seed,
                                           options_.fault_rate));
      Say("final runs: transient faults off, per-record Salesforce errors kept");
    }
    int exit_code = -1;
    for (int final_run = 0; final_run < 5 && exit_code != 0; ++final_run) {
      if (last_killed) ++result_.restarts;
      // Not quiet: a partial run's summary names what is left and why.
      std::vector<std::string> loud(args.begin(), args.end() - 1);
      ProcessResult run = harness::RunCrmsync(loud, std::chrono::seconds(3600));
      ++result_.runs;
      last_killed = false;
      exit_code = run.exit_code;
      Say(fmt::format("final run {}: exit {} in {:.1f} s", final_run + 1, run.exit_code, run.wall_seconds));
      if (run.exit_code != 0 && run.exit_code != 3) {
        result_.violations.push_back(fmt::format("final run exited {}: {}", run.exit_code, Tail(run.output)));
        break;
      }
      if (run.exit_code == 3) Reconnect(sim, state_dir);
      if (run.exit_code == 3 && final_run == 4) {
        result_.violations.push_back(fmt::format("still partial after 5 final runs: {}", Tail(run.output)));
      }
    }
    Say(CheckInvariant(sim, state_dir, *tenants, "after the final run"));

    result_.verify = harness::ParseVerify(sim.Get("/_sim/verify"));
    const harness::Verify& v = result_.verify;
    if (v.expected <= 0 || v.missing != 0 || v.duplicates != 0 || v.unexpected != 0 || v.mismatched != 0) {
      result_.violations.push_back(fmt::format("/_sim/verify: {}", v.raw));
    }
    result_.wire_duplicate_upserts = harness::JsonInt(sim.Get("/_sim/stats"), "records_updated");
  }

  std::string CheckInvariant(const harness::SimProcess& sim, const std::string& state_dir,
                             const std::vector<std::string>& tenants, const std::string& when) {
    auto report = CheckCursorInvariant(sim, state_dir, tenants);
    ++result_.invariant_checks;
    if (!report.ok()) {
      result_.violations.push_back(fmt::format("invariant check {} failed: {}", when, report.status().ToString()));
      return "invariant check failed: " + report.status().ToString();
    }
    result_.keys_checked += report->keys_checked;
    for (const auto& v : report->violations) result_.violations.push_back(fmt::format("{}: {}", when, v));
    if (report->checked != report->cursors) {
      result_.violations.push_back(fmt::format("{}: {} of {} cursors could not be placed by the simulator, e.g. {}",
                                               when, report->cursors - report->checked, report->cursors,
                                               report->unplaced_example));
    }
    return fmt::format("invariant {} ({} cursors, {} passed messages checked, {} violations)",
                       report->ok() ? "holds" : "VIOLATED", report->cursors, report->keys_checked,
                       report->violations.size());
  }

  // A kill between a rotating grant and the storing of its new refresh token
  // leaves the state with a token Salesforce has voided: the next run suspends
  // the tenant (invalid_grant) and only the administrator can reconnect it. The
  // driver plays the administrator (as lifecycle_test does) and counts it.
  void Reconnect(const harness::SimProcess& sim, const std::string& state_dir) {
    for (const std::string& tenant : DisconnectedCrm(sim.config_path(), state_dir)) {
      const std::string reissued = sim.Post("/_sim/reissue?tenant=" + tenant, "");
      simdjson::dom::parser parser;
      std::string_view token;
      if (parser.parse(reissued)["refresh_token"].get(token)) {
        throw std::runtime_error("/_sim/reissue answered no refresh_token for " + tenant);
      }
      const std::string token_file = sim_dir_ + "/reissued-refresh-token";
      harness::WriteFile(token_file, std::string(token) + "\n");
      ProcessResult connect =
          harness::RunCrmsync({"connect", "salesforce", "--config", sim.config_path(), "--state", state_dir,
                               "--tenant", tenant, "--refresh", "--refresh-token-file", token_file});
      std::remove(token_file.c_str());
      if (connect.exit_code != 0) {
        result_.violations.push_back(fmt::format("reconnecting {} failed (exit {})", tenant, connect.exit_code));
        continue;
      }
      ++result_.reconnects;
      Say(fmt::format("  {}: Salesforce refresh token lost to a kill after rotation; administrator reconnected it",
                      tenant));
    }
  }

  void Say(const std::string& line) {
    if (progress_ == nullptr) return;
    std::fprintf(progress_, "%s\n", line.c_str());
    std::fflush(progress_);
  }

  const CrashTestOptions& options_;
  std::FILE* progress_;
  std::mt19937_64 rng_;
  CrashTestResult result_;
  std::string sim_dir_;
};

}  // namespace

bool SimulatorHasFaultRate(const std::string& sim_help) { return sim_help.find("--fault-rate") != std::string::npos; }

CrashTestResult RunCrashTest(const CrashTestOptions& options, std::FILE* progress) {
  return Driver(options, progress).Run();
}

}  // namespace crmsync::crashtest

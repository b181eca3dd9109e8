// `crmsync backfill`: the mail of a window of time for newly onboarded users
// (or a re-capture after a rule change), through streams of its own so the
// scheduled runs' cursors never move (engine/backfill.hpp). Killed and
// started again with the same arguments, it resumes the same job.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "crmsync/engine/backfill.hpp"
#include "crmsync/engine/run.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "run_control.hpp"

namespace crmsync::tools {
namespace {

struct BackfillFlags {
  std::string config_path, state_dir, report_path;
  std::string since, until, tenant, users_file;
  std::vector<std::string> users;
  double wait_seconds = 0;
  RunControlFlags control;
  std::string log_format, log_level;   // either given: log events to stderr, as for run
};

std::string Lower(std::string text) {
  for (char& c : text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return text;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// One address per line; blank lines and lines starting with '#' are skipped.
Result<std::vector<std::string>> ReadUsersFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(fmt::format("cannot read users file {}", path));
  std::vector<std::string> users;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string address = Trim(line);
    if (address.empty() || address.front() == '#') continue;
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
        address.find_first_of(" \t,;<>\"") != std::string::npos || address.find('@', at + 1) != std::string::npos) {
      return Status::InvalidArgument(fmt::format("{}:{}: '{}' is not an email address", path, number, address));
    }
    users.push_back(Lower(address));
  }
  if (users.empty()) return Status::InvalidArgument(fmt::format("{}: no user addresses", path));
  return users;
}

std::string DateText(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

Result<engine::BackfillWindow> WindowFrom(const BackfillFlags& flags) {
  engine::BackfillWindow window;
  auto since = engine::ParseUtcDate(flags.since, "--since");
  if (!since.ok()) return since.status();
  window.since_unix = since.value();
  if (flags.until.empty()) {
    // Mail from today on is the scheduled runs' work.
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    window.until_unix = now - now % 86400;
  } else {
    auto until = engine::ParseUtcDate(flags.until, "--until");
    if (!until.ok()) return until.status();
    window.until_unix = until.value();
  }
  if (window.since_unix >= window.until_unix) {
    return Status::InvalidArgument(fmt::format("the window is empty: --since {} is not before --until {}",
                                               DateText(window.since_unix), DateText(window.until_unix)));
  }
  window.tenant = flags.tenant;
  for (const auto& u : flags.users) window.users.push_back(Lower(Trim(u)));
  if (!flags.users_file.empty()) {
    auto users = ReadUsersFile(flags.users_file);
    if (!users.ok()) return users.status();
    window.users = std::move(users.value());
  }
  std::sort(window.users.begin(), window.users.end());
  window.users.erase(std::unique(window.users.begin(), window.users.end()), window.users.end());
  window.job_id = engine::BackfillJobId(window);
  return window;
}

int BackfillCommand(const BackfillFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  auto log = MakeRunLogger(flags.log_format, flags.log_level, *config);
  if (!log.ok()) {
    std::cerr << "crmsync: " << log.status().message() << "\n";
    return engine::kExitUsage;
  }
  auto window = WindowFrom(flags);
  if (!window.ok()) {
    std::cerr << "crmsync: " << window.status().message() << "\n";
    return engine::kExitUsage;
  }
  if (!flags.tenant.empty() &&
      std::none_of(config->tenants.begin(), config->tenants.end(), [&](const auto& t) { return t.id == flags.tenant; })) {
    std::cerr << "crmsync: --tenant " << flags.tenant << " is not a tenant of " << flags.config_path << "\n";
    return engine::kExitUsage;
  }
  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto opened = OpenEngineState(state_dir, flags.wait_seconds);
  if (!opened) return engine::kExitFailure;
  state::Store& store = *opened->store;
  if (!flags.control.quiet) {
    std::cerr << fmt::format("crmsync backfill: job {}, mail of [{}, {}), {}{}\n", window->job_id,
                             DateText(window->since_unix), DateText(window->until_unix),
                             window->users.empty() ? std::string("every user")
                                                   : fmt::format("{} user(s)", window->users.size()),
                             flags.tenant.empty() ? std::string() : " of tenant " + flags.tenant);
  }
  engine::RunOptions options;
  options.secrets = opened->box();
  options.backfill = &window.value();
  RunControl control(flags.control);
  options.stop = control.stop();
  options.progress = control.progress();
  options.log = log.value().get();
  http::CurlMultiTransport transport(RunTransportOptions(config->engine));
  engine::RunReport report = engine::RunOnce(*config, options, transport, store);
  control.Finish();
  const http::TransportStats stats = transport.Stats();
  report.transport["requests"] = stats.requests;
  report.transport["connections_opened"] = stats.connections_opened;
  report.transport["transport_failures"] = stats.transport_failures;

  const std::string json = report.ToJson();
  Status saved = store.PutRun(report.run_id, json);
  if (!saved.ok()) std::cerr << "crmsync: warning: report not saved in state: " << saved.ToString() << "\n";
  if (log.value()) engine::LogRunReport(*log.value(), report, /*errors_logged=*/true);
  if (!flags.report_path.empty()) {
    std::ofstream out(flags.report_path, std::ios::binary | std::ios::trunc);
    out << json;
    if (!out) {
      std::cerr << "crmsync: cannot write the report to " << flags.report_path << "\n";
      return engine::kExitFailure;
    }
  }
  if (!flags.control.quiet) std::cout << "backfill job " << window->job_id << "\n" << report.ToText() << std::flush;
  return report.exit_code;
}

}  // namespace

void AddBackfillCommand(CLI::App& root, Commands& commands) {
  auto flags = std::make_shared<BackfillFlags>();
  CLI::App* cmd = root.add_subcommand(
      "backfill", "Capture the mail of a window of time (new users, a rule change) without moving scheduled cursors");
  cmd->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  cmd->add_option("--state", flags->state_dir, "State directory (default: engine.state_dir or ./crmsync-state)");
  cmd->add_option("--report", flags->report_path, "Write the report (JSON) to this file");
  cmd->add_option("--since", flags->since, "Start of the window, inclusive: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)")
      ->required();
  cmd->add_option("--until", flags->until, "End of the window, exclusive (default: the start of today, UTC)");
  cmd->add_option("--tenant", flags->tenant, "Only this tenant");
  auto* user = cmd->add_option("--user", flags->users, "Only this user (address; repeatable)");
  auto* file = cmd->add_option("--users-file", flags->users_file, "Only the users of this file, one address a line");
  user->excludes(file);
  AddRunControlFlags(*cmd, flags->control);
  AddWaitFlag(*cmd, flags->wait_seconds);
  cmd->add_option("--log-format", flags->log_format, "Log events to stderr: plain | json (JSON lines)");
  cmd->add_option("--log-level", flags->log_level, "Log events at this level and above: debug | info | warn | error");
  commands.push_back({cmd, [flags] { return BackfillCommand(*flags); }});
}

}  // namespace crmsync::tools

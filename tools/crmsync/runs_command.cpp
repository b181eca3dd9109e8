// `crmsync runs list [--json]` and `crmsync runs show RUN_ID`: the run
// history the state keeps (the last kRunsKept reports, newest first).
#include <iostream>

#include <fmt/format.h>
#include <simdjson.h>

#include "command.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/json/escape.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

struct RunsFlags {
  std::string config_path, state_dir, run_id;
  bool json = false;
};

struct RunSummary {
  std::string id, started, status;
  double duration = 0;
  std::uint64_t read = 0, captured = 0, quarantined = 0;
};

// A stored report that does not parse is listed with status "unreadable".
RunSummary Summarize(const std::string& id, const std::string& report_json) {
  RunSummary s;
  s.id = id;
  s.status = "unreadable";
  simdjson::dom::parser parser;
  simdjson::dom::object report;
  if (parser.parse(simdjson::padded_string(report_json)).get_object().get(report) != simdjson::SUCCESS) return s;
  std::string_view started, status;
  simdjson::dom::object totals;
  if (report["started_at"].get_string().get(started) != simdjson::SUCCESS ||
      report["status"].get_string().get(status) != simdjson::SUCCESS ||
      report["duration_seconds"].get_double().get(s.duration) != simdjson::SUCCESS ||
      report["totals"].get_object().get(totals) != simdjson::SUCCESS ||
      totals["messages_read"].get_uint64().get(s.read) != simdjson::SUCCESS ||
      totals["captured"].get_uint64().get(s.captured) != simdjson::SUCCESS ||
      totals["quarantined"].get_uint64().get(s.quarantined) != simdjson::SUCCESS) {
    return s;
  }
  s.started = std::string(started);
  s.status = std::string(status);
  return s;
}

Result<std::unique_ptr<state::Store>> OpenState(const RunsFlags& flags) {
  std::string dir = flags.state_dir;
  if (dir.empty()) {
    if (flags.config_path.empty()) return Status::InvalidArgument("give --config FILE or --state DIR");
    auto config = LoadConfigOrReport(flags.config_path);
    if (!config) return Status::InvalidArgument(fmt::format("{}: configuration error", flags.config_path));
    dir = StateDir("", *config);
  }
  return state::Store::Open(dir);
}

int List(const RunsFlags& flags) {
  auto store = OpenState(flags);
  if (!store.ok()) {
    std::cerr << "crmsync runs: " << store.status().message() << "\n";
    return store.status().code() == StatusCode::kInvalidArgument ? engine::kExitUsage : engine::kExitFailure;
  }
  auto ids = store.value()->ListRuns(kRunsKept);
  if (!ids.ok()) {
    std::cerr << "crmsync runs: " << ids.status().message() << "\n";
    return engine::kExitFailure;
  }
  std::string out = flags.json ? "[" : fmt::format("{:<28} {:<20} {:>9} {:<10} {:>9} {:>9} {:>11}\n", "run", "started",
                                                   "duration", "status", "read", "captured", "quarantined");
  bool first = true;
  for (const auto& id : ids.value()) {
    auto report = store.value()->GetRun(id);
    if (!report.ok() || !report.value()) continue;
    const RunSummary s = Summarize(id, *report.value());
    if (flags.json) {
      fmt::format_to(std::back_inserter(out),
                     "{}{{\"id\":{},\"started\":{},\"duration_seconds\":{:.3f},\"status\":{},\"read\":{},"
                     "\"captured\":{},\"quarantined\":{}}}",
                     first ? "" : ",", json::JsonQuote(s.id), json::JsonQuote(s.started), s.duration,
                     json::JsonQuote(s.status), s.read, s.captured, s.quarantined);
    } else {
      fmt::format_to(std::back_inserter(out), "{:<28} {:<20} {:>8.1f}s {:<10} {:>9} {:>9} {:>11}\n", s.id, s.started,
                     s.duration, s.status, s.read, s.captured, s.quarantined);
    }
    first = false;
  }
  if (flags.json) out += "]\n";
  std::cout << out;
  return engine::kExitComplete;
}

int Show(const RunsFlags& flags) {
  auto store = OpenState(flags);
  if (!store.ok()) {
    std::cerr << "crmsync runs: " << store.status().message() << "\n";
    return store.status().code() == StatusCode::kInvalidArgument ? engine::kExitUsage : engine::kExitFailure;
  }
  auto report = store.value()->GetRun(flags.run_id);
  if (!report.ok()) {
    std::cerr << "crmsync runs: " << report.status().message() << "\n";
    return engine::kExitFailure;
  }
  if (!report.value()) {
    std::cerr << "crmsync runs: no run " << flags.run_id << " in the history (`crmsync runs list` lists them)\n";
    return engine::kExitUsage;
  }
  std::cout << *report.value();
  if (report.value()->empty() || report.value()->back() != '\n') std::cout << "\n";
  return engine::kExitComplete;
}

void AddStateOptions(CLI::App* app, RunsFlags& flags) {
  app->add_option("--config", flags.config_path, "Configuration file (TOML); its engine.state_dir is used");
  app->add_option("--state", flags.state_dir, "State directory (wins over the configuration)");
}

}  // namespace

void AddRunsCommands(CLI::App& root, Commands& commands) {
  CLI::App* runs = root.add_subcommand("runs", "The run history kept in the state (the last 100 runs)");
  runs->require_subcommand(1);
  auto list_flags = std::make_shared<RunsFlags>();
  CLI::App* list = runs->add_subcommand("list", "One line per run, newest first");
  AddStateOptions(list, *list_flags);
  list->add_flag("--json", list_flags->json, "A JSON list instead of the table");
  commands.push_back({list, [list_flags] { return List(*list_flags); }});
  auto show_flags = std::make_shared<RunsFlags>();
  CLI::App* show = runs->add_subcommand("show", "The full report (JSON) of one run");
  AddStateOptions(show, *show_flags);
  show->add_option("RUN_ID", show_flags->run_id, "A run id from `crmsync runs list`")->required();
  commands.push_back({show, [show_flags] { return Show(*show_flags); }});
}

}  // namespace crmsync::tools

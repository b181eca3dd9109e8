#include "status_command.hpp"

#include <ctime>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <simdjson.h>

#include "command.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/json/escape.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

using json::JsonQuote;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoUtc(std::int64_t unix_ms) {
  if (unix_ms <= 0) return "";
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// What the last run said about each tenant (status, captured, errors).
struct LastRunTenant {
  std::string status;
  std::uint64_t captured = 0;
  std::vector<std::string> errors;
};
struct LastRun {
  std::string id, finished_at, status;
  std::map<std::string, LastRunTenant> tenants;
};

Result<std::optional<LastRun>> ReadLastRun(state::Store& store) {
  auto runs = store.ListRuns(1);
  if (!runs.ok()) return runs.status();
  if (runs.value().empty()) return std::optional<LastRun>{};
  auto text = store.GetRun(runs.value().front());
  if (!text.ok()) return text.status();
  if (!text.value()) return std::optional<LastRun>{};
  simdjson::padded_string padded(*text.value());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return Status::Corruption("the last run report is not valid JSON");
  LastRun run;
  std::string_view view;
  if (!doc["run_id"].get(view)) run.id = view;
  if (!doc["finished_at"].get(view)) run.finished_at = view;
  if (!doc["status"].get(view)) run.status = view;
  simdjson::dom::array tenants;
  if (!doc["tenants"].get(tenants)) {
    for (auto tenant : tenants) {
      LastRunTenant t;
      std::string_view id;
      if (tenant["id"].get(id)) continue;
      if (!tenant["status"].get(view)) t.status = view;
      std::uint64_t captured = 0;
      if (!tenant["captured"].get(captured)) t.captured = captured;
      simdjson::dom::array errors;
      if (!tenant["errors"].get(errors)) {
        for (auto e : errors) {
          if (!e.get(view)) t.errors.emplace_back(view);
        }
      }
      run.tenants[std::string(id)] = std::move(t);
    }
  }
  return std::optional<LastRun>(std::move(run));
}

std::string ConnectionStatus(const state::ConnectionState& c) {
  return c.status == "connected" ? "connected" : "disconnected";
}

std::string ConnectionJson(const state::ConnectionState& c) {
  return fmt::format(R"({{"status":{},"last_error":{},"last_error_at":{},"last_success_at":{}}})",
                     JsonQuote(ConnectionStatus(c)), JsonQuote(c.last_error), JsonQuote(IsoUtc(c.last_error_unix_ms)),
                     JsonQuote(IsoUtc(c.last_success_unix_ms)));
}

std::string ConnectionText(const char* name, const state::ConnectionState& c) {
  std::string line = fmt::format("    {:<8} {}", name, ConnectionStatus(c) == "connected" ? "Connected" : "Disconnected");
  if (!c.last_error.empty()) line += fmt::format(": {} (since {})", c.last_error, IsoUtc(c.last_error_unix_ms));
  if (c.status.empty()) line += " (never connected)";
  return line + "\n";
}

}  // namespace

int StatusCommand(const engine::Config& config, const StatusOptions& options) {
  if (!options.tenant.empty()) {
    bool known = false;
    for (const auto& t : config.tenants) known = known || t.id == options.tenant;
    if (!known) {
      std::cerr << "crmsync: --tenant " << options.tenant << " is not a tenant of " << config.path << "\n";
      return engine::kExitUsage;
    }
  }
  auto store = state::Store::Open(options.state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto last = ReadLastRun(*store.value());
  if (!last.ok()) {
    std::cerr << "crmsync: cannot read the last run: " << last.status().message() << "\n";
    return engine::kExitFailure;
  }
  const std::int64_t now = NowMs();
  std::string json = "{\"tenants\":[";
  std::string text;
  if (last.value()) {
    text += fmt::format("last run {} finished {}: {}\n", last.value()->id, last.value()->finished_at,
                        last.value()->status);
  } else {
    text += fmt::format("no run recorded in {}\n", options.state_dir);
  }
  bool first_tenant = true;
  for (const auto& tenant_config : config.tenants) {
    const std::string& id = tenant_config.id;
    if (!options.tenant.empty() && id != options.tenant) continue;
    auto connection = store.value()->GetTenantState(id);
    auto users = store.value()->ListUsers(id);
    auto quarantine = store.value()->ListQuarantine(id);
    if (!quarantine.ok()) {
      std::cerr << "crmsync: cannot read the quarantine of tenant " << id << ": " << quarantine.status().message()
                << "\n";
      return engine::kExitFailure;
    }
    if (!connection.ok() || !users.ok()) {
      std::cerr << "crmsync: cannot read tenant " << id << ": "
                << (connection.ok() ? users.status() : connection.status()).message() << "\n";
      return engine::kExitFailure;
    }
    std::map<std::string, std::uint64_t> by_status{{"active", 0}, {"pending", 0}, {"suspended", 0}, {"disabled", 0}};
    for (const auto& [user_id, record] : users.value()) ++by_status[record.status];
    const LastRunTenant* run = nullptr;
    if (last.value()) {
      auto it = last.value()->tenants.find(id);
      if (it != last.value()->tenants.end()) run = &it->second;
    }
    const std::string run_status = run != nullptr ? run->status : "never";
    const bool connected = connection.value().mailbox.status == "connected" &&
                           connection.value().crm.status == "connected" && run_status != "failed";

    text += fmt::format("  {:<16} {:<12} {:<9} users {:>6}  captured {:>8}\n", id,
                        connected ? "Connected" : "Disconnected", run_status, users.value().size(),
                        run != nullptr ? run->captured : 0);
    text += ConnectionText("mailbox", connection.value().mailbox);
    text += ConnectionText("crm", connection.value().crm);
    text += fmt::format("    users    {} active, {} pending, {} suspended, {} disabled\n", by_status["active"],
                        by_status["pending"], by_status["suspended"], by_status["disabled"]);
    // Quarantined records wait for `crmsync retry --quarantined`; by error code.
    std::map<std::string, std::uint64_t> by_code;
    for (const auto& [key, entry] : quarantine.value()) ++by_code[entry.error_code];
    std::string codes_text, codes_json;
    for (const auto& [code, n] : by_code) {
      codes_text += fmt::format("{}{} {}", codes_text.empty() ? "" : ", ", n, code);
      codes_json += fmt::format("{}{}:{}", codes_json.empty() ? "" : ",", JsonQuote(code), n);
    }
    text += fmt::format("    Quarantined {}{}\n", quarantine.value().size(),
                        codes_text.empty() ? "" : " (" + codes_text + ")");
    if (run != nullptr) {
      for (const auto& error : run->errors) text += "    error: " + error + "\n";
    }

    fmt::format_to(std::back_inserter(json),
                   R"({}{{"id":{},"connected":{},"last_run_status":{},"mailbox":{},"crm":{},"users":{{"total":{},)"
                   R"("active":{},"pending":{},"suspended":{},"disabled":{}}},"quarantined":{},"quarantined_by_code":{{{}}})",
                   first_tenant ? "" : ",", JsonQuote(id), connected ? "true" : "false", JsonQuote(run_status),
                   ConnectionJson(connection.value().mailbox), ConnectionJson(connection.value().crm),
                   users.value().size(), by_status["active"], by_status["pending"], by_status["suspended"],
                   by_status["disabled"], quarantine.value().size(), codes_json);
    first_tenant = false;
    if (!options.tenant.empty()) {
      json += ",\"user_details\":[";
      text += fmt::format("    {:<40} {:<10} {:>9} {:>12}  {}\n", "user", "status", "captured", "lag", "reason");
      bool first_user = true;
      for (const auto& [user_id, record] : users.value()) {
        const std::int64_t lag_s = record.last_success_unix_ms > 0 ? (now - record.last_success_unix_ms) / 1000 : -1;
        fmt::format_to(std::back_inserter(json),
                       R"({}{{"id":{},"address":{},"status":{},"reason":{},"source":{},"salesforce_user_id":{},)"
                       R"("last_success_at":{},"lag_seconds":{},"captured":{}}})",
                       first_user ? "" : ",", JsonQuote(user_id), JsonQuote(record.primary), JsonQuote(record.status),
                       JsonQuote(record.reason), JsonQuote(record.source), JsonQuote(record.salesforce_user_id),
                       JsonQuote(IsoUtc(record.last_success_unix_ms)), lag_s, record.captured);
        first_user = false;
        text += fmt::format("    {:<40} {:<10} {:>9} {:>12}  {}\n", record.primary, record.status, record.captured,
                            lag_s < 0 ? std::string("never") : fmt::format("{}s", lag_s), record.reason);
      }
      json += "]";
    }
    json += "}";
  }
  json += "]}\n";
  std::cout << (options.json ? json : text) << std::flush;
  return engine::kExitComplete;
}

void AddStatusCommand(CLI::App& root, Commands& commands) {
  struct Flags {
    std::string config_path, state_dir;
    StatusOptions options;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* status = root.add_subcommand("status", "Connections, users and the last run, per tenant");
  status->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  status->add_option("--state", flags->state_dir, "State directory");
  status->add_option("--tenant", flags->options.tenant, "Show this tenant only, with one line per user");
  status->add_flag("--json", flags->options.json, "Print JSON: tenants[].id, .mailbox.status, .crm.status, ...");
  commands.push_back({status, [flags] {
                        auto config = LoadConfigOrReport(flags->config_path);
                        if (!config) return engine::kExitUsage;
                        flags->options.state_dir = StateDir(flags->state_dir, *config);
                        return StatusCommand(*config, flags->options);
                      }});
}

}  // namespace crmsync::tools

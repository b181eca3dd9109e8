// The crmsync command line is a set of subcommands; each file registers its
// own options on the CLI11 app and says what to run when it was chosen.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/log.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::state {
class Store;
}

namespace crmsync::tools {

struct Command {
  CLI::App* app = nullptr;      // runs when this (sub)command was parsed
  std::function<int()> run;
};
using Commands = std::vector<Command>;

// One registration function per command file.
void AddRunCommand(CLI::App& root, Commands& commands);
void AddBackfillCommand(CLI::App& root, Commands& commands);   // backfill_command.cpp
void AddStatusCommand(CLI::App& root, Commands& commands);
void AddConnectCommands(CLI::App& root, Commands& commands);        // connect google | salesforce
void AddConnectSalesforceCommand(CLI::App& connect, Commands& commands);
void AddConnectMailboxCommand(CLI::App& connect, Commands& commands);
void AddServeCommands(CLI::App& root, Commands& commands);   // serve, sign (provisioning API)
void AddUsersCommands(CLI::App& root, Commands& commands);   // users activate / authorize
void AddKeysCommands(CLI::App& root, Commands& commands);    // keys rotate
void AddRetryCommand(CLI::App& root, Commands& commands);   // retry --quarantined
void AddConfigCommands(CLI::App& root, Commands& commands);  // config check / example
void AddRunsCommands(CLI::App& root, Commands& commands);    // runs list / show
void AddDoctorCommand(CLI::App& root, Commands& commands);   // doctor

// Shared by the commands.
// Loads the configuration; prints "crmsync: configuration error: ..." on failure.
std::optional<engine::Config> LoadConfigOrReport(const std::string& path);
// --state flag, else engine.state_dir, else ./crmsync-state.
std::string StateDir(const std::string& flag, const engine::Config& config);
// The state's master key (engine/master_key.hpp: CRMSYNC_MASTER_KEY,
// CRMSYNC_MASTER_KEY_FILE or <state>.key); nullopt when there is none yet.
// `create` makes a key file (0600) when missing.
Result<std::optional<state::SecretBox>> LoadSecretBox(const std::string& state_dir, bool create);
// --wait SECONDS: how long run and backfill wait for a state directory held
// by another process before refusing (state_lock.cpp).
void AddWaitFlag(CLI::App& command, double& wait_seconds);
// The HTTP transport of a run or backfill: [engine] max_connections_per_host.
http::TransportOptions RunTransportOptions(const engine::EngineConfig& engine);
// Opens the state, waiting up to `wait_seconds` for another holder.
Result<std::unique_ptr<state::Store>> OpenStateWaiting(const std::string& state_dir, double wait_seconds);

// The state and its master key (created when missing: a rotated Salesforce
// refresh token must be sealed) for the commands that run the engine.
struct EngineState {
  std::unique_ptr<state::Store> store;
  std::optional<state::SecretBox> secrets;
  const state::SecretBox* box() const { return secrets ? &*secrets : nullptr; }
};
// Prints the reason on stderr and returns nullopt when either cannot be opened.
std::optional<EngineState> OpenEngineState(const std::string& state_dir, double wait_seconds);

// `--log-format` / `--log-level`: a logger on stderr when either is given,
// nullptr when neither is (the run prints only its summary); an unknown
// value is an error.
Result<std::unique_ptr<engine::Logger>> MakeRunLogger(const std::string& format, const std::string& level,
                                                       const engine::Config& config);

// Run history kept in the state (`crmsync runs list`).
inline constexpr std::size_t kRunsKept = 100;
struct RunOutputs {
  std::string state_dir;
  std::string metrics_file;   // --metrics-file; "" = only <state>/metrics.prom
};
// After a run: prunes the run history to kRunsKept and writes the metrics.
// Failures are warnings: the run's own outcome stands.
void SaveRunOutputs(const RunOutputs& outputs, const engine::Config& config, state::Store& store,
                    const std::string& report_json);

}  // namespace crmsync::tools

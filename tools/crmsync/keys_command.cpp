// `crmsync keys rotate`: a new master key for the state, every sealed secret
// re-sealed under it in one atomic write (engine/master_key.hpp).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "crmsync/engine/master_key.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {
namespace {

struct KeysFlags {
  std::string config_path, state_dir, new_key_out;
};

// CRMSYNC_MASTER_KEY holds the key: the new one is written (base64, 0600)
// where the administrator asked, for them to put in the environment.
int RotateEnvironmentKey(state::Store& store, const engine::MasterKeyLocation& where, const KeysFlags& flags) {
  if (flags.new_key_out.empty()) {
    std::cerr << fmt::format("crmsync: the master key comes from {}: give --new-key-out FILE to receive the new key\n",
                             where.Describe());
    return engine::kExitUsage;
  }
  auto old_key = engine::LoadMasterKey(where, false);
  if (!old_key.ok() || !old_key.value()) {
    std::cerr << "crmsync: " << old_key.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto new_key = state::SecretBox::Generate();
  if (!new_key.ok()) {
    std::cerr << "crmsync: " << new_key.status().message() << "\n";
    return engine::kExitFailure;
  }
  // The new key reaches the administrator before any secret depends on it.
  {
    std::ofstream out(flags.new_key_out, std::ios::trunc);
    out << new_key.value().ExportBase64() << "\n";
    out.close();
    if (!out) {
      std::cerr << "crmsync: cannot write the new key to " << flags.new_key_out << "\n";
      return engine::kExitFailure;
    }
    std::filesystem::permissions(flags.new_key_out, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  auto counts = engine::ResealSecrets(store, *old_key.value(), new_key.value());
  if (!counts.ok()) {
    std::cerr << "crmsync: " << counts.status().message() << "\n";
    return engine::kExitFailure;
  }
  std::cout << fmt::format("Re-sealed {} secret(s). Put the content of {} into {} before the next run.\n",
                           counts.value().resealed, flags.new_key_out, engine::kMasterKeyEnv);
  return engine::kExitComplete;
}

int RotateCommand(const KeysFlags& flags) {
  std::string state_dir = flags.state_dir;
  if (!flags.config_path.empty()) {
    auto config = LoadConfigOrReport(flags.config_path);
    if (!config) return engine::kExitUsage;
    state_dir = StateDir(flags.state_dir, *config);
  }
  if (state_dir.empty()) {
    std::cerr << "crmsync: keys rotate needs --state DIR or --config FILE\n";
    return engine::kExitUsage;
  }
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  const engine::MasterKeyLocation where = engine::LocateMasterKey(state_dir);
  if (where.from_environment) return RotateEnvironmentKey(*store.value(), where, flags);
  auto counts = engine::RotateKeyFile(*store.value(), where.file);
  if (!counts.ok()) {
    std::cerr << "crmsync: key rotation failed: " << counts.status().message() << "\n";
    return engine::kExitFailure;
  }
  std::cout << fmt::format("Rotated {}: re-sealed {} secret(s)", where.Describe(), counts.value().resealed);
  if (counts.value().already_rotated > 0) {
    std::cout << fmt::format(" ({} already re-sealed by an interrupted rotation)", counts.value().already_rotated);
  }
  std::cout << ".\n";
  return engine::kExitComplete;
}

}  // namespace

void AddKeysCommands(CLI::App& root, Commands& commands) {
  CLI::App* keys = root.add_subcommand("keys", "The state's master key");
  keys->require_subcommand(1);
  auto flags = std::make_shared<KeysFlags>();
  CLI::App* rotate = keys->add_subcommand(
      "rotate", "Generate a new master key and re-seal every stored secret under it (safe to re-run after a crash)");
  rotate->add_option("--config", flags->config_path, "configuration file (for engine.state_dir)");
  rotate->add_option("--state", flags->state_dir, "state directory");
  rotate->add_option("--new-key-out", flags->new_key_out,
                     "with CRMSYNC_MASTER_KEY: file that receives the new key (base64)");
  commands.push_back({rotate, [flags] { return RotateCommand(*flags); }});
}

}  // namespace crmsync::tools

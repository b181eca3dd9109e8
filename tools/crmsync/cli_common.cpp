#include <algorithm>
#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "crmsync/engine/master_key.hpp"

namespace crmsync::tools {

std::optional<engine::Config> LoadConfigOrReport(const std::string& path) {
  auto config = engine::LoadConfig(path);
  if (!config.ok()) {
    std::cerr << "crmsync: configuration error: " << config.status().message() << "\n";
    return std::nullopt;
  }
  return std::move(config.value());
}

std::string StateDir(const std::string& flag, const engine::Config& config) {
  if (!flag.empty()) return flag;
  if (!config.engine.state_dir.empty()) return config.engine.state_dir;
  return "crmsync-state";
}

http::TransportOptions RunTransportOptions(const engine::EngineConfig& engine) {
  http::TransportOptions options;
  options.max_host_connections = engine.max_connections_per_host;
  // Room for every service's hosts (mail, identity, Salesforce) at the per-host cap.
  options.max_total_connections = std::max<long>(options.max_total_connections, 4L * engine.max_connections_per_host);
  return options;
}

Result<std::optional<state::SecretBox>> LoadSecretBox(const std::string& state_dir, bool create) {
  return engine::LoadMasterKey(engine::LocateMasterKey(state_dir), create);
}

std::optional<EngineState> OpenEngineState(const std::string& state_dir, double wait_seconds) {
  auto store = OpenStateWaiting(state_dir, wait_seconds);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return std::nullopt;
  }
  auto box = LoadSecretBox(state_dir, true);
  if (!box.ok()) {
    std::cerr << "crmsync: " << box.status().message() << "\n";
    return std::nullopt;
  }
  return EngineState{std::move(store).value(), std::move(box).value()};
}

}  // namespace crmsync::tools

// `crmsync config check --config FILE`: every problem of a configuration at
// once (each unknown key with file, line and a suggestion, then the loader's
// first other error). `crmsync config example`: every option with its default.
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "crmsync/engine/config_example.hpp"
#include "crmsync/engine/config_keys.hpp"
#include "crmsync/engine/run_report.hpp"

namespace crmsync::tools {
namespace {

int Check(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "crmsync: " << path << ": cannot read the configuration file\n";
    return engine::kExitUsage;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::string> errors = engine::CheckConfigText(text.str(), path);
  for (const auto& error : errors) std::cerr << "error: " << error << "\n";
  if (!errors.empty()) {
    std::cerr << "crmsync: " << path << ": " << errors.size() << " error(s); `crmsync config example` prints "
              << "every option with its default\n";
    return engine::kExitUsage;
  }
  std::cout << path << ": ok\n";
  return engine::kExitComplete;
}

}  // namespace

void AddConfigCommands(CLI::App& root, Commands& commands) {
  CLI::App* config = root.add_subcommand("config", "Validate a configuration, or print a commented example");
  config->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  CLI::App* check = config->add_subcommand("check", "Validate a configuration: every error with file, line, key");
  check->add_option("--config", *path, "Configuration file (TOML)")->required();
  commands.push_back({check, [path] { return Check(*path); }});
  CLI::App* example = config->add_subcommand("example", "Print a commented configuration with every option");
  commands.push_back({example, [] {
                        std::cout << engine::ConfigExample();
                        return engine::kExitComplete;
                      }});
}

}  // namespace crmsync::tools

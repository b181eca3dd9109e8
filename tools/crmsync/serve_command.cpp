// `crmsync serve` and `crmsync sign`: the provisioning API.
#include "command.hpp"

namespace crmsync::tools {

void AddServeCommands(CLI::App& root, Commands& commands) {
  (void)root;
  (void)commands;
}

}  // namespace crmsync::tools

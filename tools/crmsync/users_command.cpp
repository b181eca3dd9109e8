// `crmsync users ...`: per-user activation and authorization.
#include "command.hpp"

namespace crmsync::tools {

void AddUsersCommands(CLI::App& root, Commands& commands) {
  (void)root;
  (void)commands;
}

}  // namespace crmsync::tools

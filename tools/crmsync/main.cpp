// crmsync: the command line. Each subcommand lives in its own *_command.cpp.
#include <CLI/CLI.hpp>

#include "command.hpp"
#include "crmsync/core/allocator_info.hpp"
#include "crmsync/engine/run_report.hpp"

int main(int argc, char** argv) {
  using namespace crmsync::tools;
  CLI::App app{"crmsync: capture organization-wide email activity into Salesforce, exactly once"};
  // --version names the allocator too: benchmark figures depend on it.
  app.set_version_flag("--version", std::string("crmsync " CRMSYNC_VERSION "\nallocator: ") + crmsync::AllocatorInUse());
  app.require_subcommand(1);
  Commands commands;
  AddRunCommand(app, commands);
  AddBackfillCommand(app, commands);
  AddStatusCommand(app, commands);
  AddConnectCommands(app, commands);
  AddServeCommands(app, commands);
  AddUsersCommands(app, commands);
  AddKeysCommands(app, commands);
  AddRetryCommand(app, commands);
  AddConfigCommands(app, commands);
  AddRunsCommands(app, commands);
  AddDoctorCommand(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : crmsync::engine::kExitUsage;
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return crmsync::engine::kExitUsage;
}

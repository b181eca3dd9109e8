// One state directory, one process at a time: the store's flock refuses a
// second opener with the holder's pid; --wait turns the refusal into a
// bounded wait (a timer or CronJob that fires while the previous run still
// works waits for it instead of failing).
#include <chrono>

#include "command.hpp"

namespace crmsync::tools {

void AddWaitFlag(CLI::App& command, double& wait_seconds) {
  command
      .add_option("--wait", wait_seconds,
                  "Wait up to SECONDS for a state directory held by another crmsync process (default 0: refuse)")
      ->check(CLI::Range(0.0, 86400.0));
}

Result<std::unique_ptr<state::Store>> OpenStateWaiting(const std::string& state_dir, double wait_seconds) {
  state::StoreOptions options;
  options.lock_wait = std::chrono::milliseconds(static_cast<std::int64_t>(wait_seconds * 1000));
  auto store = state::Store::Open(state_dir, options);
  if (!store.ok() && wait_seconds == 0 &&
      store.status().message().find("in use by another crmsync process") != std::string::npos) {
    return Status::Io(store.status().message() + "; pass --wait SECONDS to wait for it");
  }
  return store;
}

}  // namespace crmsync::tools

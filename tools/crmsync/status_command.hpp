#pragma once
#include <string>

namespace crmsync::tools {
// Prints the per-tenant status of the last run recorded in `state_dir`.
int StatusCommand(const std::string& state_dir, bool json);
}  // namespace crmsync::tools

#pragma once
#include <string>

#include "crmsync/engine/config.hpp"

namespace crmsync::tools {

struct StatusOptions {
  std::string state_dir;
  std::string tenant;   // "": every tenant, no per-user lines
  bool json = false;
};

// `crmsync status`: per tenant the mailbox and CRM connections (with the last
// error and when), users by status, the last run; with a tenant, every user's
// status, reason, last success, lag and captured count.
int StatusCommand(const engine::Config& config, const StatusOptions& options);

}  // namespace crmsync::tools

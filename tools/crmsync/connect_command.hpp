#pragma once
#include <string>

#include "crmsync/engine/config.hpp"

namespace crmsync::tools {

struct ConnectGoogleOptions {
  std::string tenant;
  std::string key_file;
  std::string user;        // the user the test token is minted for; default: admin_email
  std::string state_dir;
};

// `crmsync connect google`: validates a service-account key file, reports
// Project ID, Client ID, client email and the connection status obtained by
// a real token exchange, and stores the key sealed in the state.
// Exit 0 connected, 1 not connected, 2 usage or configuration error.
int ConnectGoogle(const engine::Config& config, const ConnectGoogleOptions& options);

}  // namespace crmsync::tools

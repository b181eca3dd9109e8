// Steps shared by `crmsync connect mailbox` and `crmsync connect salesforce`:
// finding the tenant, reading a refresh-token file, and opening the state
// with its master key. Each prints its own "crmsync: ..." error, so the
// commands only choose the exit code.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "crmsync/engine/config.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::tools {

// The tenant `id` of `config`; nullptr (reported) when it has none.
const engine::TenantConfig* FindTenantOrReport(const engine::Config& config, const std::string& id,
                                               const std::string& config_path);

// The refresh token in `path`, without surrounding white space; nullopt
// (reported) when the file cannot be read or holds none.
std::optional<std::string> ReadRefreshTokenFile(const std::string& path);

struct SealedState {
  std::unique_ptr<state::Store> store;
  state::SecretBox box;
};

// The state in `state_dir` and its master key (created when missing);
// nullopt (reported) when either cannot be had.
std::optional<SealedState> OpenSealedState(const std::string& state_dir);

}  // namespace crmsync::tools

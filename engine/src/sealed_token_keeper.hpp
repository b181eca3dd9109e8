// Access tokens kept between runs, sealed in the state like every other
// secret: a scheduled run reuses the per-user tokens an earlier run was
// granted while they are still good, so an idle run of a Google Workspace
// organization costs one history call per mailbox and no token grant.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

class SealedTokenKeeper final : public auth::TokenKeeper {
 public:
  SealedTokenKeeper(state::Store& store, const state::SecretBox& box, std::string tenant);

  // A token that does not open or read (another master key, a damaged row)
  // is no token: the provider asks for a new one.
  std::optional<auth::KeptToken> Load(const std::string& key) override;
  void Keep(const std::string& key, const auth::KeptToken& token) override;
  // Seals and stores the tokens kept since the last Save, in one write.
  Status Save();

  static std::string KindOf(const std::string& key) { return "access_token " + key; }

 private:
  state::Store& store_;
  const state::SecretBox& box_;
  const std::string tenant_;
  std::mutex mutex_;
  std::unordered_map<std::string, auth::KeptToken> unsaved_;   // guarded by mutex_
};

}  // namespace crmsync::engine

// The state's master key: where it comes from and how it is rotated.
//
// Sources, first match wins:
//   CRMSYNC_MASTER_KEY       the key itself, base64 of 32 bytes (from a
//                            secret manager or a Kubernetes Secret)
//   CRMSYNC_MASTER_KEY_FILE  a key file (32 raw bytes, mode 0600)
//   <state dir>.key          the default key file, beside the state directory
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

inline constexpr const char* kMasterKeyEnv = "CRMSYNC_MASTER_KEY";
inline constexpr const char* kMasterKeyFileEnv = "CRMSYNC_MASTER_KEY_FILE";

struct MasterKeyLocation {
  bool from_environment = false;   // CRMSYNC_MASTER_KEY
  std::string file;                // otherwise the key file
  std::string Describe() const;    // for messages; never the key
};

MasterKeyLocation LocateMasterKey(const std::string& state_dir);

// The key; nullopt when a key file does not exist and `create` is false.
// Refuses while an interrupted rotation's pending key file exists.
Result<std::optional<state::SecretBox>> LoadMasterKey(const MasterKeyLocation& where, bool create);

// Where a rotation keeps the new key until every secret is re-sealed.
std::string PendingKeyFile(const std::string& key_file);

struct RotationCounts {
  std::size_t resealed = 0;          // opened with the old key, sealed with the new
  std::size_t already_rotated = 0;   // sealed with the new key by an interrupted rotation
};

// Re-seals every secret of the state from `from` to `to` in one atomic,
// synced write. A secret that opens with neither key is kCorruption naming
// its tenant and kind, and nothing is written.
Result<RotationCounts> ResealSecrets(state::Store& store, const state::SecretBox& from, const state::SecretBox& to);

// Rotates a key file, safe against a crash at any point: the new key goes to
// PendingKeyFile first, then every secret is re-sealed in one atomic write,
// then the pending file replaces the key file. Run again after a crash, it
// finishes the interrupted rotation with the same new key.
Result<RotationCounts> RotateKeyFile(state::Store& store, const std::string& key_file);

}  // namespace crmsync::engine

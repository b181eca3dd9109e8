// Seals secrets (service-account keys, refresh tokens) for the `secrets`
// column family with AES-256-GCM. The associated data is the tenant and the
// kind, so a sealed secret copied to another tenant or kind fails to open.
// The 32-byte master key lives in its own file (mode 0600), outside the
// RocksDB directory by default, so a copy of the state alone reveals nothing.
#pragma once

#include <string>
#include <string_view>

#include "crmsync/core/status.hpp"

namespace crmsync::state {

class SecretBox {
 public:
  // Reads the master key from `key_file`, creating it (32 random bytes,
  // mode 0600) when it does not exist. Errors name the file, never the key.
  static Result<SecretBox> LoadOrCreate(const std::string& key_file);
  // Reads an existing key file (kNotFound when there is none).
  static Result<SecretBox> Load(const std::string& key_file);
  // A key given as base64 text (CRMSYNC_MASTER_KEY); `origin` names where
  // it came from in errors, which never show the text.
  static Result<SecretBox> FromBase64(std::string_view text, const std::string& origin);
  // A fresh random key, not yet written anywhere.
  static Result<SecretBox> Generate();

  // Writes the key to a new file (mode 0600, synced, with its directory);
  // fails if the file exists.
  Status WriteNewKeyFile(const std::string& key_file) const;
  // The key as base64 text, for an administrator who keeps it in
  // CRMSYNC_MASTER_KEY.
  std::string ExportBase64() const;

  // version byte | 12-byte nonce | ciphertext | 16-byte tag
  Result<std::string> Seal(const std::string& tenant, const std::string& kind,
                           const std::string& plaintext) const;
  // kCorruption when the bytes were altered or sealed for another tenant/kind
  // or under another master key.
  Result<std::string> Open(const std::string& tenant, const std::string& kind,
                           const std::string& sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace crmsync::state

// Seals secrets (service-account keys, refresh tokens) for the `secrets`
// column family with AES-256-GCM. The associated data is the tenant and the
// kind, so a sealed secret copied to another tenant or kind fails to open.
// The 32-byte master key lives in its own file (mode 0600), outside the
// RocksDB directory by default, so a copy of the state alone reveals nothing.
#pragma once

#include <string>

#include "crmsync/core/status.hpp"

namespace crmsync::state {

class SecretBox {
 public:
  // Reads the master key from `key_file`, creating it (32 random bytes,
  // mode 0600) when it does not exist. Errors name the file, never the key.
  static Result<SecretBox> LoadOrCreate(const std::string& key_file);

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

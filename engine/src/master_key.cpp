#include "crmsync/engine/master_key.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "crmsync/engine/secrets.hpp"

namespace crmsync::engine {
namespace {

void SyncDirectoryOf(const std::string& file) {
  const std::string dir = std::filesystem::path(file).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string MasterKeyLocation::Describe() const {
  return from_environment ? std::string("the environment variable ") + kMasterKeyEnv : "master key file " + file;
}

MasterKeyLocation LocateMasterKey(const std::string& state_dir) {
  MasterKeyLocation where;
  const char* key = std::getenv(kMasterKeyEnv);
  if (key != nullptr && *key != '\0') {
    where.from_environment = true;
    return where;
  }
  const char* file = std::getenv(kMasterKeyFileEnv);
  where.file = file != nullptr && *file != '\0' ? std::string(file) : MasterKeyFileFor(state_dir);
  return where;
}

std::string PendingKeyFile(const std::string& key_file) { return key_file + ".next"; }

Result<std::optional<state::SecretBox>> LoadMasterKey(const MasterKeyLocation& where, bool create) {
  if (where.from_environment) {
    auto box = state::SecretBox::FromBase64(std::getenv(kMasterKeyEnv), kMasterKeyEnv);
    if (!box.ok()) return box.status();
    return std::optional<state::SecretBox>(std::move(box).value());
  }
  if (std::filesystem::exists(PendingKeyFile(where.file))) {
    return Status::InvalidArgument(
        fmt::format("a master key rotation was interrupted ({} exists): run `crmsync keys rotate` with the same "
                    "state again to finish it",
                    PendingKeyFile(where.file)));
  }
  if (!create && !std::filesystem::exists(where.file)) return std::optional<state::SecretBox>{};
  auto box = create ? state::SecretBox::LoadOrCreate(where.file) : state::SecretBox::Load(where.file);
  if (!box.ok()) return box.status();
  return std::optional<state::SecretBox>(std::move(box).value());
}

Result<RotationCounts> ResealSecrets(state::Store& store, const state::SecretBox& from, const state::SecretBox& to) {
  auto secrets = store.ListSecrets();
  if (!secrets.ok()) return secrets.status();
  RotationCounts counts;
  std::vector<state::SealedSecret> resealed;
  for (const auto& secret : secrets.value()) {
    auto plain = from.Open(secret.tenant, secret.kind, secret.sealed);
    if (!plain.ok()) {
      if (to.Open(secret.tenant, secret.kind, secret.sealed).ok()) {
        ++counts.already_rotated;
        continue;
      }
      return Status::Corruption(fmt::format("sealed {} of tenant {} opens with neither the old nor the new master key",
                                            secret.kind, secret.tenant));
    }
    auto sealed = to.Seal(secret.tenant, secret.kind, plain.value());
    if (!sealed.ok()) return sealed.status();
    resealed.push_back(state::SealedSecret{secret.tenant, secret.kind, std::move(sealed).value()});
  }
  Status put = store.PutSecrets(resealed);
  if (!put.ok()) return put;
  counts.resealed = resealed.size();
  return counts;
}

Result<RotationCounts> RotateKeyFile(state::Store& store, const std::string& key_file) {
  auto old_key = state::SecretBox::Load(key_file);
  if (!old_key.ok()) return old_key.status();
  const std::string pending = PendingKeyFile(key_file);
  Result<state::SecretBox> new_key = state::SecretBox::Load(pending);
  if (!new_key.ok()) {
    if (new_key.status().code() != StatusCode::kNotFound) return new_key.status();
    new_key = state::SecretBox::Generate();
    if (!new_key.ok()) return new_key.status();
    Status written = new_key.value().WriteNewKeyFile(pending);
    if (!written.ok()) return written;
  }
  auto counts = ResealSecrets(store, old_key.value(), new_key.value());
  if (!counts.ok()) return counts.status();
  if (std::rename(pending.c_str(), key_file.c_str()) != 0) {
    return Status::Io(fmt::format("cannot replace master key file {} with {}: {}", key_file, pending,
                                  std::strerror(errno)));
  }
  SyncDirectoryOf(key_file);
  return counts;
}

}  // namespace crmsync::engine

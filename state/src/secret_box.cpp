#include "crmsync/state/secret_box.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

namespace crmsync::state {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr char kVersion = 1;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string AssociatedData(const std::string& tenant, const std::string& kind) {
  // Length-prefixed so ("ab","c") and ("a","bc") differ.
  return fmt::format("{}:{}|{}:{}", tenant.size(), tenant, kind.size(), kind);
}

const unsigned char* Bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& key_file) {
  std::ifstream in(key_file, std::ios::binary);
  if (in) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string key = buffer.str();
    if (key.size() != kKeyBytes) {
      return Status::Corruption(fmt::format("master key file {} holds {} bytes, expected {}", key_file,
                                            key.size(), kKeyBytes));
    }
    return SecretBox(std::move(key));
  }
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return Status::Io("cannot draw random bytes for a new master key");
  }
  const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::Io(fmt::format("cannot create master key file {}: {}", key_file, std::strerror(errno)));
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return Status::Io(fmt::format("cannot write master key file {}", key_file));
  return SecretBox(std::move(key));
}

Result<std::string> SecretBox::Seal(const std::string& tenant, const std::string& kind,
                                    const std::string& plaintext) const {
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  out[0] = kVersion;
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  if (RAND_bytes(nonce, kNonceBytes) != 1) return Status::Io("cannot draw a nonce");
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  const std::string aad = AssociatedData(tenant, kind);
  int length = 0;
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + 1 + kNonceBytes);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &length, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) != 1) {
    return Status::Io("sealing failed");
  }
  return out;
}

Result<std::string> SecretBox::Open(const std::string& tenant, const std::string& kind,
                                    const std::string& sealed) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes || sealed[0] != kVersion) {
    return Status::Corruption(fmt::format("sealed {} of tenant {} is not a sealed secret", kind, tenant));
  }
  const std::size_t text_size = sealed.size() - 1 - kNonceBytes - kTagBytes;
  const auto* nonce = Bytes(sealed) + 1;
  const auto* cipher = nonce + kNonceBytes;
  std::string tag(sealed.end() - kTagBytes, sealed.end());
  std::string plaintext(text_size, '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  const std::string aad = AssociatedData(tenant, kind);
  int length = 0;
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &length, cipher, static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + length, &length) != 1) {
    return Status::Corruption(fmt::format(
        "sealed {} of tenant {} does not open: altered, sealed for another tenant, or another master key",
        kind, tenant));
  }
  return plaintext;
}

}  // namespace crmsync::state

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

Result<SecretBox> SecretBox::Load(const std::string& key_file) {
  std::ifstream in(key_file, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("master key file {} does not exist", key_file));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string key = buffer.str();
  if (key.size() != kKeyBytes) {
    return Status::Corruption(fmt::format("master key file {} holds {} bytes, expected {}", key_file,
                                          key.size(), kKeyBytes));
  }
  return SecretBox(std::move(key));
}

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& key_file) {
  auto loaded = Load(key_file);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  auto fresh = Generate();
  if (!fresh.ok()) return fresh.status();
  Status written = fresh.value().WriteNewKeyFile(key_file);
  if (!written.ok()) return written;
  return fresh;
}

Result<SecretBox> SecretBox::Generate() {
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return Status::Io("cannot draw random bytes for a new master key");
  }
  return SecretBox(std::move(key));
}

Result<SecretBox> SecretBox::FromBase64(std::string_view text, const std::string& origin) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  // 32 bytes are 44 base64 characters with one '=' of padding.
  if (text.size() != 44) {
    return Status::InvalidArgument(
        fmt::format("{} must be the base64 of {} bytes (44 characters), it has {} characters", origin, kKeyBytes,
                    text.size()));
  }
  unsigned char decoded[48];
  const int n = EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  // EVP_DecodeBlock counts padding as zero bytes: 44 characters decode to 33.
  if (n != 33 || text[43] != '=' || text[42] == '=') {
    return Status::InvalidArgument(fmt::format("{} is not valid base64 of {} bytes", origin, kKeyBytes));
  }
  return SecretBox(std::string(reinterpret_cast<const char*>(decoded), kKeyBytes));
}

Status SecretBox::WriteNewKeyFile(const std::string& key_file) const {
  const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io(fmt::format("cannot create master key file {}: {}", key_file, std::strerror(errno)));
  const bool written = ::write(fd, key_.data(), key_.size()) == static_cast<ssize_t>(key_.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return Status::Io(fmt::format("cannot write master key file {}", key_file));
  // The file's directory entry must survive a crash too.
  const auto slash = key_file.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : key_file.substr(0, slash));
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

std::string SecretBox::ExportBase64() const {
  unsigned char out[48];
  const int n = EVP_EncodeBlock(out, Bytes(key_), static_cast<int>(key_.size()));
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
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

// A throwaway CA for local HTTPS: clients trust ca.pem, the simulator serves
// leaves it issues. Only OpenSSL 3 EVP/X509 calls that are not deprecated.
#include "cert_authority.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fmt/core.h>

#include "openssl_util.hpp"

namespace crmsync::sim {
namespace {

namespace fs = std::filesystem;

constexpr long kSecondsPerDay = 24 * 60 * 60;
constexpr int kCaValidityDays = 3650;
// The longest validity Apple platforms accept for a TLS server certificate.
constexpr int kLeafValidityDays = 825;
// Tolerates clients whose clock runs a little behind ours.
constexpr long kLeafBackdateSeconds = 60 * 60;
constexpr int kExpiredStartDaysAgo = 30;
constexpr int kExpiredEndDaysAgo = 1;
constexpr int kSerialBits = 128;
// X.520 upper bound for a commonName.
constexpr std::size_t kMaxCommonName = 64;
constexpr const char* kCaCommonName = "crmsync-sim local CA";

using BnPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES_free>>;

[[noreturn]] void ThrowOpenssl(std::string_view what) {
  throw std::runtime_error("crmsync-sim: " + OpensslError(what));
}

void Check(int ok, std::string_view what) {
  if (ok != 1) ThrowOpenssl(what);
}

PkeyPtr NewP256Key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) ThrowOpenssl("cannot generate an EC P-256 key");
  return key;
}

std::string ToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) ThrowOpenssl("cannot encode a certificate");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// PKCS#8 ("BEGIN PRIVATE KEY"), which both OpenSSL and GnuTLS read.
std::string ToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ThrowOpenssl("cannot encode a private key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

X509Ptr CertFromPem(const std::string& pem, std::string_view origin) {
  X509Ptr cert = ReadPemCertificate(pem);
  if (!cert) ThrowOpenssl(fmt::format("{}: not a PEM certificate", origin));
  return cert;
}

PkeyPtr KeyFromPem(const std::string& pem, std::string_view origin) {
  PkeyPtr key = ReadPemPrivateKey(pem);
  // Never echo the key material: only the file name goes into the message.
  if (!key) ThrowOpenssl(fmt::format("{}: not an unencrypted PEM private key", origin));
  return key;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad() || text.str().empty()) {
    throw std::runtime_error(fmt::format("crmsync-sim: cannot read {}", path.string()));
  }
  return text.str();
}

// Writes through a temporary file and a rename, so a crash never leaves a
// half-written CA behind for the next start to trip over.
void WriteFile(const fs::path& path, const std::string& data, mode_t mode) {
  fs::path tmp = path;
  tmp += ".tmp";
  auto fail = [&](const fs::path& p) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("crmsync-sim: cannot write {}: {}", p.string(), std::strerror(err)));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail(path);
  // open() applies the umask; the key must end up exactly 0600, the cert 0644.
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    fail(path);
  }
  std::size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail(path);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) fail(path);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path);
}

void AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    ThrowOpenssl(fmt::format("cannot add extension {}={}", OBJ_nid2sn(nid), value));
  }
}

void SetRandomSerial(X509* cert) {
  BnPtr bn(BN_new());
  if (!bn || BN_rand(bn.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
    ThrowOpenssl("cannot draw a certificate serial");
  }
  if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    ThrowOpenssl("cannot set a certificate serial");
  }
}

void SetValidity(X509* cert, long not_before_offset, long not_after_offset) {
  std::time_t now = std::time(nullptr);
  auto days = [](long seconds) { return static_cast<int>(seconds / kSecondsPerDay); };
  auto rest = [](long seconds) { return seconds % kSecondsPerDay; };
  if (ASN1_TIME_adj(X509_getm_notBefore(cert), now, days(not_before_offset), rest(not_before_offset)) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert), now, days(not_after_offset), rest(not_after_offset)) == nullptr) {
    ThrowOpenssl("cannot set certificate validity");
  }
}

void SetCommonName(X509_NAME* name, const std::string& cn) {
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
        "cannot set the certificate common name");
}

// "[::1]" as written in URLs is the IPv6 literal "::1".
std::string Unbracket(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

NamesPtr SubjectAltNames(const std::vector<std::string>& hosts) {
  NamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) ThrowOpenssl("cannot allocate subjectAltName");
  for (const std::string& raw : hosts) {
    std::string host = Unbracket(raw);
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (name == nullptr) ThrowOpenssl("cannot allocate subjectAltName");
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str())) {
      GENERAL_NAME_set0_value(name, GEN_IPADD, ip);
    } else {
      ERR_clear_error();   // not an IP literal: a DNS name
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns == nullptr || ASN1_STRING_set(dns, host.data(), static_cast<int>(host.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        GENERAL_NAME_free(name);
        ThrowOpenssl(fmt::format("cannot encode DNS name {}", host));
      }
      GENERAL_NAME_set0_value(name, GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(names.get(), name) == 0) {
      GENERAL_NAME_free(name);
      ThrowOpenssl("cannot build subjectAltName");
    }
  }
  return names;
}

}  // namespace

CertificateAuthority CertificateAuthority::LoadOrCreate(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("crmsync-sim: cannot create {}: {}", dir, ec.message()));
  fs::path base = fs::absolute(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("crmsync-sim: cannot resolve {}: {}", dir, ec.message()));
  const fs::path cert_path = base / "ca.pem";
  const fs::path key_path = base / "ca.key";

  CertificateAuthority ca;
  ca.ca_cert_path_ = cert_path.lexically_normal().string();

  if (fs::exists(cert_path) && fs::exists(key_path)) {
    ca.ca_cert_pem_ = ReadFile(cert_path);
    ca.ca_key_pem_ = ReadFile(key_path);
    X509Ptr cert = CertFromPem(ca.ca_cert_pem_, cert_path.string());
    PkeyPtr key = KeyFromPem(ca.ca_key_pem_, key_path.string());
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
      ThrowOpenssl(fmt::format("{} does not belong to {}", key_path.string(), cert_path.string()));
    }
    return ca;
  }

  PkeyPtr key = NewP256Key();
  X509Ptr cert(X509_new());
  if (!cert) ThrowOpenssl("cannot allocate the CA certificate");
  Check(X509_set_version(cert.get(), X509_VERSION_3), "cannot set the certificate version");
  SetRandomSerial(cert.get());
  SetValidity(cert.get(), 0, static_cast<long>(kCaValidityDays) * kSecondsPerDay);
  Check(X509_set_pubkey(cert.get(), key.get()), "cannot set the CA public key");
  SetCommonName(X509_get_subject_name(cert.get()), kCaCommonName);
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "cannot set the CA issuer");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) ThrowOpenssl("cannot sign the CA certificate");

  ca.ca_cert_pem_ = ToPem(cert.get());
  ca.ca_key_pem_ = ToPem(key.get());
  // The key first: a CA is only loaded when both files exist, so a crash in
  // between leaves a state that the next start simply regenerates.
  WriteFile(key_path, ca.ca_key_pem_, 0600);
  WriteFile(cert_path, ca.ca_cert_pem_, 0644);
  return ca;
}

TlsIdentity CertificateAuthority::IssueLeaf(const std::vector<std::string>& hosts, bool expired) const {
  if (hosts.empty()) throw std::runtime_error("crmsync-sim: a leaf certificate needs at least one host");
  X509Ptr ca_cert = CertFromPem(ca_cert_pem_, ca_cert_path_);
  PkeyPtr ca_key = KeyFromPem(ca_key_pem_, "the CA private key");

  PkeyPtr key = NewP256Key();
  X509Ptr cert(X509_new());
  if (!cert) ThrowOpenssl("cannot allocate a leaf certificate");
  Check(X509_set_version(cert.get(), X509_VERSION_3), "cannot set the certificate version");
  SetRandomSerial(cert.get());
  if (expired) {
    SetValidity(cert.get(), -kExpiredStartDaysAgo * kSecondsPerDay, -kExpiredEndDaysAgo * kSecondsPerDay);
  } else {
    SetValidity(cert.get(), -kLeafBackdateSeconds, static_cast<long>(kLeafValidityDays) * kSecondsPerDay);
  }
  Check(X509_set_pubkey(cert.get(), key.get()), "cannot set the leaf public key");
  std::string cn = Unbracket(hosts.front());
  if (cn.size() <= kMaxCommonName) SetCommonName(X509_get_subject_name(cert.get()), cn);
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())), "cannot set the leaf issuer");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
  AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
  AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  NamesPtr names = SubjectAltNames(hosts);
  Check(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
        "cannot add subjectAltName");
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) ThrowOpenssl("cannot sign a leaf certificate");

  return TlsIdentity{ToPem(cert.get()), ToPem(key.get())};
}

}  // namespace crmsync::sim

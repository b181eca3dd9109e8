#include "h2_tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/tls1.h>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::sim {
namespace {

constexpr std::string_view kH2 = "h2";

std::string OpenSslError(const char* what) {
  std::string text = what;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += ": ";
    text += buffer;
  }
  return text;
}

// The protocol names of an ALPN extension body; nullopt when malformed.
std::optional<std::vector<std::string_view>> AlpnNames(const unsigned char* data, std::size_t length) {
  if (length < 2) return std::nullopt;
  const std::size_t list_length = (std::size_t{data[0]} << 8) | data[1];
  if (list_length != length - 2) return std::nullopt;
  std::vector<std::string_view> names;
  for (std::size_t i = 2; i < length;) {
    const std::size_t n = data[i];
    if (n == 0 || i + 1 + n > length) return std::nullopt;
    names.emplace_back(reinterpret_cast<const char*>(data + i + 1), n);
    i += 1 + n;
  }
  return names;
}

// Refuses, before any certificate is sent, a client that cannot speak h2: the
// alert tells it why, the log line tells the operator.
int OnClientHello(SSL* ssl, int* alert, void*) {
  const unsigned char* offer = nullptr;
  std::size_t length = 0;
  const bool has_alpn =
      SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &offer, &length) == 1;
  if (has_alpn && AlpnOffersH2(offer, length)) return SSL_CLIENT_HELLO_SUCCESS;
  const std::string offered = has_alpn ? DescribeAlpnOffer(offer, length) : "no ALPN extension";
  std::fprintf(stderr,
               "crmsync-sim: http2: refused a TLS client that does not offer h2 in ALPN (offered: %s); this "
               "simulator serves HTTP/2 only (--http2)\n",
               offered.c_str());
  *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
  return SSL_CLIENT_HELLO_ERROR;
}

int OnAlpnSelect(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                 unsigned int in_length, void*) {
  for (unsigned int i = 0; i < in_length;) {
    const unsigned int n = in[i];
    if (i + 1 + n > in_length) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), n) == kH2) {
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(n);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + n;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;   // no_application_protocol
}

}  // namespace

std::string DescribeAlpnOffer(const unsigned char* data, std::size_t length) {
  auto names = AlpnNames(data, length);
  if (!names) return "(malformed)";
  if (names->empty()) return "(none)";
  std::string text;
  for (std::string_view name : *names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

bool AlpnOffersH2(const unsigned char* data, std::size_t length) {
  auto names = AlpnNames(data, length);
  if (!names) return false;
  for (std::string_view name : *names) {
    if (name == kH2) return true;
  }
  return false;
}

H2TlsContext::H2TlsContext(const TlsIdentity& identity) {
  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr) throw std::runtime_error(OpenSslError("TLS context"));
  auto fail = [this](const char* what) {
    const std::string message = OpenSslError(what);
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error(message);
  };
  // RFC 9113 9.2: HTTP/2 over TLS 1.2 or later, no renegotiation.
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // The I/O loop resumes a blocked write with whatever is left of its buffer.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  BIO* cert_bio = BIO_new_mem_buf(identity.cert_pem.data(), static_cast<int>(identity.cert_pem.size()));
  X509* cert = cert_bio != nullptr ? PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(cert_bio);
  if (cert == nullptr) fail("TLS certificate rejected");
  const int used_cert = SSL_CTX_use_certificate(ctx_, cert);
  X509_free(cert);
  if (used_cert != 1) fail("TLS certificate rejected");

  BIO* key_bio = BIO_new_mem_buf(identity.key_pem.data(), static_cast<int>(identity.key_pem.size()));
  EVP_PKEY* key = key_bio != nullptr ? PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(key_bio);
  if (key == nullptr) fail("TLS private key rejected");
  const int used_key = SSL_CTX_use_PrivateKey(ctx_, key);
  EVP_PKEY_free(key);
  if (used_key != 1 || SSL_CTX_check_private_key(ctx_) != 1) fail("TLS private key rejected");

  SSL_CTX_set_client_hello_cb(ctx_, &OnClientHello, nullptr);
  SSL_CTX_set_alpn_select_cb(ctx_, &OnAlpnSelect, nullptr);
}

H2TlsContext::~H2TlsContext() { SSL_CTX_free(ctx_); }

SSL* H2TlsContext::NewSession(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return ssl;
}

}  // namespace crmsync::sim

#include "h2_tls_context.hpp"

#include <openssl/err.h>
#include <openssl/tls1.h>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "openssl_util.hpp"

namespace crmsync::sim {
namespace {

constexpr std::string_view kH2 = "h2";

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
  static constexpr unsigned char kServerProtocols[] = {2, 'h', '2'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kServerProtocols, sizeof kServerProtocols, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;   // no_application_protocol
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
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
  if (ctx_ == nullptr) throw std::runtime_error(OpensslError("TLS context"));
  auto fail = [this](const char* what) {
    const std::string message = OpensslError(what);
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error(message);
  };
  // RFC 9113 9.2: HTTP/2 over TLS 1.2 or later, no renegotiation.
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // The I/O loop resumes a blocked write with whatever is left of its buffer.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  const X509Ptr cert = ReadPemCertificate(identity.cert_pem);
  if (!cert || SSL_CTX_use_certificate(ctx_, cert.get()) != 1) fail("TLS certificate rejected");
  const PkeyPtr key = ReadPemPrivateKey(identity.key_pem);
  if (!key || SSL_CTX_use_PrivateKey(ctx_, key.get()) != 1 || SSL_CTX_check_private_key(ctx_) != 1) {
    fail("TLS private key rejected");
  }

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

// The HTTP/2 server's OpenSSL context: the leaf identity, TLS 1.2+, ALPN that
// accepts only "h2", and OpenSSL's default session tickets (TLS 1.3 and 1.2
// resumption, as the real services offer).
#pragma once

#include <openssl/ssl.h>

#include "server.hpp"

namespace crmsync::sim {

class H2TlsContext {
 public:
  // Throws std::runtime_error naming what OpenSSL rejected (for the caller to
  // prefix with the address).
  explicit H2TlsContext(const TlsIdentity& identity);
  ~H2TlsContext();
  H2TlsContext(const H2TlsContext&) = delete;
  H2TlsContext& operator=(const H2TlsContext&) = delete;

  // A server SSL for an accepted socket, or null when OpenSSL cannot make one.
  SSL* NewSession(int fd) const;

 private:
  SSL_CTX* ctx_ = nullptr;
};

// "h2, http/1.1" from an ALPN extension body (RFC 7301 ProtocolNameList, with
// its two-byte length), "(none)" when empty, "(malformed)" when it does not
// parse. For the refusal message.
std::string DescribeAlpnOffer(const unsigned char* data, std::size_t length);
// True when the offer lists "h2".
bool AlpnOffersH2(const unsigned char* data, std::size_t length);

}  // namespace crmsync::sim

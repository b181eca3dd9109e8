// OpenSSL pieces shared by the certificate authority and the HTTP/2 server's
// TLS context: owning pointers, the error queue as one message, PEM reading.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace crmsync::sim {

template <auto Free>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free_all>>;

// "what: first error; second error", draining OpenSSL's thread-local error queue.
std::string OpensslError(std::string_view what);

// The first certificate / private key (unencrypted) of a PEM text; null, with
// OpenSSL's reason queued, when there is none.
X509Ptr ReadPemCertificate(const std::string& pem);
PkeyPtr ReadPemPrivateKey(const std::string& pem);

}  // namespace crmsync::sim

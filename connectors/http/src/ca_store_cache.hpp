// The trust stores of one transport, each loaded once and handed to every new
// TLS connection. libcurl 7.88 otherwise builds a fresh store for each
// connection: it parses the whole CA file (PEM decoding of every certificate)
// before each handshake, and its own CA cache is off whenever a CA directory
// is set, which Debian's build always sets. With thousands of connections
// that was ~10 % of the engine's CPU in limits mode.
// Loop thread only (no locks); the stores live as long as the cache.
#pragma once

#include <curl/curl.h>
#include <openssl/ossl_typ.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "crmsync/core/status.hpp"

namespace crmsync::http {

class CaStoreCache {
 public:
  CaStoreCache() = default;
  ~CaStoreCache();
  CaStoreCache(const CaStoreCache&) = delete;
  CaStoreCache& operator=(const CaStoreCache&) = delete;

  // The store trusting `ca_file` (PEM) plus the system's hashed certificate
  // directory; with an empty `ca_file`, curl's default CA bundle instead. An
  // unreadable or certificate-less file is an error naming it, and is not
  // remembered (the next request tries again).
  Result<X509_STORE*> StoreFor(const std::string& ca_file);

  // Stores built so far (each a full load of a CA file).
  std::size_t loads() const { return loads_; }

  // CURLOPT_SSL_CTX_FUNCTION: installs the X509_STORE passed as `store` into
  // the connection's fresh SSL_CTX (the context keeps a reference).
  static CURLcode InstallStore(CURL* easy, void* ssl_ctx, void* store);

 private:
  std::unordered_map<std::string, X509_STORE*> stores_;
  std::size_t loads_ = 0;
};

}  // namespace crmsync::http

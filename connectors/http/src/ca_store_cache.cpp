#include "ca_store_cache.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace crmsync::http {
namespace {

// Trusted alongside a request's own CA file, as curl trusted it with
// CURLOPT_CAPATH: the system store as a hashed directory (certificates are
// read from it lazily, only for issuers a chain asks for).
constexpr const char* kSystemCertDir = "/etc/ssl/certs";

// The CA bundle libcurl was built to use when a request names none.
std::string CurlDefaultBundle() {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return {};
  char* path = nullptr;
  std::string bundle;
  if (curl_easy_getinfo(easy, CURLINFO_CAINFO, &path) == CURLE_OK && path != nullptr) bundle = path;
  curl_easy_cleanup(easy);
  return bundle;
}

std::string OpenSslReason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no certificate found";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

CaStoreCache::~CaStoreCache() {
  for (auto& [file, store] : stores_) X509_STORE_free(store);
}

Result<X509_STORE*> CaStoreCache::StoreFor(const std::string& ca_file) {
  if (auto it = stores_.find(ca_file); it != stores_.end()) return it->second;

  if (!ca_file.empty() && !std::ifstream(ca_file, std::ios::binary).good()) {
    return Status::Tls(fmt::format("CA file {} cannot be read: {}", ca_file, std::strerror(errno)));
  }
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return Status::Tls("out of memory creating a certificate store");
  const std::string file = ca_file.empty() ? CurlDefaultBundle() : ca_file;
  bool loaded = true;
  if (!file.empty()) {
    loaded = X509_STORE_load_file(store, file.c_str()) == 1;
  } else {
    loaded = X509_STORE_set_default_paths(store) == 1;
  }
  if (!loaded) {
    const std::string reason = OpenSslReason();
    X509_STORE_free(store);
    return Status::Tls(fmt::format("CA file {} cannot be used: {}", file.empty() ? "(OpenSSL default)" : file, reason));
  }
  // A missing system directory only means fewer trusted roots, as with curl.
  if (X509_STORE_load_path(store, kSystemCertDir) != 1) ERR_clear_error();
  stores_.emplace(ca_file, store);
  ++loads_;
  return store;
}

CURLcode CaStoreCache::InstallStore(CURL*, void* ssl_ctx, void* store) {
  SSL_CTX_set1_cert_store(static_cast<SSL_CTX*>(ssl_ctx), static_cast<X509_STORE*>(store));
  return CURLE_OK;
}

}  // namespace crmsync::http

#include "transfer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <strings.h>

#include "crmsync/http/url.hpp"
#include "curl_error.hpp"

namespace crmsync::http {
namespace {

constexpr long kConnectTimeoutMs = 10'000;
// Trusted alongside a request's own CA file: CURLOPT_CAINFO replaces curl's
// default bundle, so the system store is added back as a hashed directory.
constexpr const char* kSystemCertDir = "/etc/ssl/certs";
// Spare capacity after the body so that a parser needing padding (simdjson
// wants 64 bytes) can use the buffer in place.
constexpr size_t kBodyPadding = 64;
// Do not trust a peer's Content-Length for more than this up-front reservation.
constexpr size_t kMaxReserve = 64u << 20;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

Transfer::~Transfer() { curl_slist_free_all(header_list_); }

void Transfer::Fail(TransportError error, std::string message) {
  response_.status = 0;
  response_.body.clear();
  response_.error = error;
  response_.error_message = std::move(message);
}

bool Transfer::Configure(CURL* easy, const EasySettings& settings) {
  easy_ = easy;
  X509_STORE* trust = nullptr;
  if (!request_.ca_file.empty() || request_.url.starts_with("https:")) {
    auto store = settings.ca_stores->StoreFor(request_.ca_file);
    if (!store.ok()) {
      Fail(TransportError::kTls, fmt::format("{}: {}", HostPort(request_.url), store.status().message()));
      return false;
    }
    trust = store.value();
  }

  curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_SHARE, settings.share);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // A burst of requests to a host whose connection is still in its TLS
  // handshake waits to learn (from ALPN) whether it speaks HTTP/2 and rides
  // on it, rather than opening one connection (one handshake) per request.
  // Not for plain HTTP: there curl learns it only from a response, so a
  // request would wait behind a slow one instead of opening a connection.
  if (request_.url.starts_with("https:")) curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(0, request_.timeout.count())));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, settings.user_agent->c_str());
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (trust != nullptr && curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &CaStoreCache::InstallStore) == CURLE_OK) {
    // Each new connection gets the cached store. CURLOPT_CAINFO still names
    // the file because curl matches connections and TLS sessions for reuse by
    // it: a request trusting another CA must never ride on a connection (or
    // resume a session) verified against this one. Without a CA directory,
    // curl's own CA cache keeps it from re-reading the file per connection.
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, trust);
    curl_easy_setopt(easy, CURLOPT_CAINFO, request_.ca_file.empty() ? nullptr : request_.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
  } else if (!request_.ca_file.empty()) {
    // A TLS backend other than OpenSSL: curl loads the files itself.
    curl_easy_setopt(easy, CURLOPT_CAINFO, request_.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_CAPATH, kSystemCertDir);
  }
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);

  const std::string& method = request_.method;
  const std::string_view payload = request_.payload();
  const bool sends_body = !payload.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (method != "POST") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (sends_body && method != "GET" && method != "HEAD") {
    // The body lives in request_ (or is shared by it), which outlives the transfer.
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, payload.data());
  }

  bool has_expect = false;
  for (const auto& [name, value] : request_.headers) {
    if (name.size() == 6 && strncasecmp(name.c_str(), "expect", 6) == 0) has_expect = true;
    // "Name;" is curl's spelling of a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    header_list_ = curl_slist_append(header_list_, line.c_str());
  }
  // No "Expect: 100-continue" round trip before large bodies: the servers we
  // talk to answer them directly.
  if (!has_expect) header_list_ = curl_slist_append(header_list_, "Expect:");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list_);
  return true;
}

long Transfer::Finish(CURLcode code) {
  curl_off_t total_us = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK) {
    response_.elapsed = std::chrono::microseconds(total_us);
  }
  long connects = 0;
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &connects);
  if (too_large_) {
    Fail(TransportError::kOther, fmt::format("{}: response body larger than {} MiB refused", HostPort(request_.url),
                                             kMaxResponseBytes >> 20));
  } else if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    response_.status = status;
    response_.error = TransportError::kNone;
  } else {
    Fail(ClassifyCurlFailure(code, error_buffer_), DescribeCurlFailure(request_.url, code, error_buffer_));
  }
  return connects;
}

bool Transfer::HeaderLine(std::string_view line) {
  line = Trim(line);
  if (line.empty()) return true;
  if (line.starts_with("HTTP/")) {
    // A new status line (after 1xx or an auth round trip): only the final
    // response's headers are reported.
    response_.headers.clear();
    return true;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return true;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = Trim(line.substr(colon + 1));
  if (name == "content-length") {
    size_t length = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && length > kMaxResponseBytes)) {
      too_large_ = true;
      return false;
    }
    if (ec == std::errc() && end == value.data() + value.size()) {
      response_.body.reserve(std::min(length, kMaxReserve) + kBodyPadding);
    }
  }
  response_.headers.emplace_back(std::move(name), std::string(value));
  return true;
}

size_t Transfer::OnHeader(char* data, size_t size, size_t count, void* self) {
  const size_t bytes = size * count;
  try {
    if (!static_cast<Transfer*>(self)->HeaderLine(std::string_view(data, bytes))) return 0;
  } catch (...) {
    return 0;  // allocation failure: abort this transfer, not the loop
  }
  return bytes;
}

size_t Transfer::OnBody(char* data, size_t size, size_t count, void* self) {
  const size_t bytes = size * count;
  try {
    auto* transfer = static_cast<Transfer*>(self);
    if (transfer->response_.body.size() + bytes > kMaxResponseBytes) {   // chunked, no Content-Length
      transfer->too_large_ = true;
      return 0;
    }
    transfer->response_.body.append(data, bytes);
  } catch (...) {
    return 0;
  }
  return bytes;
}

}  // namespace crmsync::http

// One request in flight on an easy handle: the options applied to the handle,
// the header and body callbacks that build the Response, and the outcome.
// Owned and touched by the transport's loop thread only.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <string>

#include "ca_store_cache.hpp"
#include "crmsync/http/transport.hpp"
#include "crmsync/http/url.hpp"

namespace crmsync::http {

struct EasySettings {
  CURLSH* share = nullptr;       // DNS and TLS-session cache shared by all handles
  const std::string* user_agent = nullptr;
  CaStoreCache* ca_stores = nullptr;   // trust stores loaded once per CA file
};

class Transfer {
 public:
  Transfer(Request request, Completion done) : request_(std::move(request)), done_(std::move(done)) {}
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Applies the request to a freshly reset `easy`. On failure (the request
  // cannot start, e.g. its CA file is unreadable) the response already holds
  // the error and the transfer should be completed without running.
  bool Configure(CURL* easy, const EasySettings& settings);

  // Records curl's outcome into the response; returns the number of new
  // connections this transfer opened.
  long Finish(CURLcode code);

  // Builds a failed response without having run (shut-down, set-up failure).
  void Fail(TransportError error, std::string message);

  CURL* easy() const { return easy_; }
  // "host:port" of the request, parsed once (the circuit breaker asks at the
  // start and at the end of every request).
  const std::string& host() {
    if (host_.empty()) host_ = HostPort(request_.url);
    return host_;
  }
  const Request& request() const { return request_; }
  Response& response() { return response_; }
  Completion& done() { return done_; }

 private:
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  // False when the response announced or grew past kMaxResponseBytes.
  bool HeaderLine(std::string_view line);

  Request request_;
  std::string host_;
  Completion done_;
  Response response_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  bool too_large_ = false;   // aborted: the body exceeds kMaxResponseBytes
};

// No service the engine talks to sends a page this large; a bigger body is
// refused (a transient failure of that request) rather than buffered.
inline constexpr size_t kMaxResponseBytes = size_t{64} << 20;

}  // namespace crmsync::http

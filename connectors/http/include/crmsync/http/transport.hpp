// The one HTTP transport of the engine: requests go in, completions come back
// on the transport's own thread. Implemented by CurlMultiTransport (one libcurl
// multi handle, one event-loop thread) and by scripted fakes in tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmsync::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";  // GET, POST, PATCH, ...
  std::string url;              // absolute https:// (or http:// for plain-HTTP runs)
  Headers headers;
  std::string body;
  // Set instead of `body` by a sender that may send the same bytes again
  // (retries of a 250 KB upsert): every attempt shares one buffer, none
  // copies it. The sender never changes it while a request holds it.
  std::shared_ptr<const std::string> shared_body;
  // Extra CA bundle (PEM) trusted for this request in addition to the system
  // store. Verification of the peer and host name is always on.
  std::string ca_file;
  std::chrono::milliseconds timeout{30000};
  // Do not start before this delay has passed (backoff, Retry-After).
  std::chrono::milliseconds delay{0};
  // Short label for statistics, e.g. "graph.delta", "sf.upsert".
  std::string kind;

  // The bytes to send: the shared body when there is one, else `body`.
  std::string_view payload() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }
};

enum class TransportError {
  kNone,
  kTimeout,
  kConnect,       // refused, unreachable, DNS
  kTls,           // certificate or host-name verification failed
  kReset,         // connection dropped / partial body
  kOther,
};

struct Response {
  long status = 0;                 // HTTP status; 0 when the transport failed
  Headers headers;                 // names lower-cased
  std::string body;
  TransportError error = TransportError::kNone;
  std::string error_message;       // curl's explanation, names the host; no secrets
  std::chrono::microseconds elapsed{0};

  bool transport_ok() const { return error == TransportError::kNone; }
  // First header with this lower-case name, or empty.
  std::string header(std::string_view lower_name) const;
};

using Completion = std::function<void(Response&&)>;

class Transport {
 public:
  virtual ~Transport() = default;
  // Thread-safe, never blocks on the network. `done` runs exactly once, on the
  // transport's thread; it must not block (it may call Submit again).
  virtual void Submit(Request request, Completion done) = 0;
};

// Blocking convenience for set-up steps outside the flow graph. Must never be
// called from a completion callback (it would wait on its own thread).
Response PerformBlocking(Transport& transport, Request request);

}  // namespace crmsync::http

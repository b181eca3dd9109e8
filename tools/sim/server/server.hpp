// The simulator's server contract: what a handler sees of a request, what it
// answers, and the one interface both transports implement (HttpServer:
// HTTP/1.1 over libmicrohttpd; H2Server: HTTP/2 over nghttp2 + OpenSSL), so
// crmsync-sim holds either.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace crmsync::sim {

struct HttpRequest {
  std::string method;                          // GET, POST, PATCH, ...
  std::string path;                            // decoded path, no query: /v1.0/users
  std::string raw_query;                       // undecoded, without '?': $select=id&$top=5
  std::multimap<std::string, std::string> query;   // decoded query arguments
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::multimap<std::string, std::string> headers;  // Content-Type etc.
  std::string body;
  // Fault injection (tools/sim/faults.hpp). drop: close the connection
  // without a byte. cut_after: announce the whole body, send only this many
  // bytes of it, then close. declared_bytes > body.size(): announce that
  // many bytes and pad the body with blanks up to them (oversized payloads
  // without holding them in memory).
  bool drop = false;
  std::optional<std::size_t> cut_after = std::nullopt;
  std::uint64_t declared_bytes = 0;
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct TlsIdentity {
  std::string cert_pem;   // leaf certificate (followed by nothing else)
  std::string key_pem;    // leaf private key
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;               // 0 = any free port
  bool tls = true;
  TlsIdentity identity;                 // required when tls
  // One thread per connection (MHD polls with poll(), so no FD_SETSIZE cap):
  // an engine hiding 60-120 ms of simulated latency keeps thousands open.
  unsigned max_connections = 8192;
  // HTTP/2 only (ALPN "h2", HTTPS only) instead of HTTP/1.1: clients
  // multiplex their requests over a few connections, as on the real services.
  bool http2 = false;
  // HTTP/2: SETTINGS_MAX_CONCURRENT_STREAMS advertised to each client.
  unsigned max_concurrent_streams = 1000;
  // HTTP/2: handlers run on a pool that grows to this many threads (each
  // may sleep out simulated latency), then queues.
  unsigned max_handler_threads = 8192;
};

class Server {
 public:
  virtual ~Server() = default;
  virtual std::uint16_t port() const = 0;
  // Requests served on TLS sessions the client resumed (a session ticket from
  // an earlier connection: no certificate exchange).
  virtual std::uint64_t requests_on_resumed_tls() const = 0;
  // "https://127.0.0.1:PORT" or "http://..."
  virtual std::string origin() const = 0;
};

// HttpServer, or H2Server when options.http2. Throws std::runtime_error with a
// clear message on failure (address in use, bad certificate, HTTP/2 without
// TLS).
std::unique_ptr<Server> MakeServer(ServerOptions options, Handler handler);

}  // namespace crmsync::sim

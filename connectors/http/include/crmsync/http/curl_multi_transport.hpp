// libcurl multi event loop on one dedicated thread (DESIGN.md, fetch/write).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "crmsync/http/circuit_breaker.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::http {

struct TransportOptions {
  // Total connections the multi handle may open (CURLMOPT_MAX_TOTAL_CONNECTIONS).
  long max_total_connections = 256;
  // Connections per host (CURLMOPT_MAX_HOST_CONNECTIONS).
  long max_host_connections = 64;
  // HTTP/2 streams per connection the client allows (CURLMOPT_MAX_CONCURRENT_STREAMS;
  // the server's SETTINGS_MAX_CONCURRENT_STREAMS still caps it). curl's own
  // default of 100 makes a burst beyond it open a connection per request while
  // the new connection's handshake is under way (171 connections for ~800
  // requests in flight, measured), where one would carry them. Until the
  // server's SETTINGS arrive on a new connection curl 7.88 still counts 100,
  // so a burst sent in that moment opens extra connections all the same.
  long max_streams_per_connection = 1000;
  std::string user_agent = "crmsync/0.1";
  // Per-host circuit breaker (circuit_breaker.hpp).
  CircuitBreakerOptions breaker;
};

struct TransportStats {
  std::uint64_t requests = 0;
  std::uint64_t transport_failures = 0;
  std::uint64_t connections_opened = 0;   // new TCP (and TLS) connections
  std::uint64_t ca_stores_loaded = 0;     // CA files parsed: once per file, not per connection
  std::map<std::string, std::uint64_t> by_kind;  // Request::kind -> count
  // (Request::kind, outcome) -> count; outcome: ok | throttled (429) |
  // client_error | server_error | transport_error. Feeds the metrics.
  std::map<std::pair<std::string, std::string>, std::uint64_t> by_kind_outcome;
  std::uint64_t callback_exceptions = 0;  // completions that threw (caught; the loop goes on)
  std::uint64_t circuit_refusals = 0;     // requests failed at once by an open circuit
  std::uint64_t circuits_opened = 0;
};

class CurlMultiTransport final : public Transport {
 public:
  explicit CurlMultiTransport(TransportOptions options = {});
  ~CurlMultiTransport() override;  // stops the loop; pending requests complete with kOther
  CurlMultiTransport(const CurlMultiTransport&) = delete;
  CurlMultiTransport& operator=(const CurlMultiTransport&) = delete;

  void Submit(Request request, Completion done) override;
  TransportStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::http

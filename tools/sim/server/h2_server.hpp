// Embedded HTTP/2 server for crmsync-sim (`--http2`): HTTPS only, ALPN "h2"
// only, nghttp2 for framing and HPACK, OpenSSL 3 for TLS. Clients multiplex
// hundreds of requests over one connection, as on the real Graph, Gmail and
// Salesforce front doors. Same contract as HttpServer (server.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server.hpp"

namespace crmsync::sim {

class H2Server final : public Server {
 public:
  // Starts serving; throws std::runtime_error "crmsync-sim: cannot listen on
  // HOST:PORT: ..." on failure (address in use, TLS identity rejected or
  // missing, plain HTTP asked for).
  H2Server(ServerOptions options, Handler handler);
  // Stops accepting, sends GOAWAY on every connection, waits for running
  // handlers and joins every thread.
  ~H2Server() override;
  H2Server(const H2Server&) = delete;
  H2Server& operator=(const H2Server&) = delete;

  std::uint16_t port() const override;
  std::uint64_t requests_on_resumed_tls() const override;
  std::string origin() const override;
  // TCP connections accepted so far, and requests handed to the handler over
  // them: how well clients multiplex. Both are also logged to stderr when the
  // server stops ("crmsync-sim: http2: served R requests over C connections").
  std::uint64_t connections_accepted() const;
  std::uint64_t requests_served() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::sim

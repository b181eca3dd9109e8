// Embedded HTTP/1.1 server for crmsync-sim (libmicrohttpd, GnuTLS for HTTPS).
// Knows nothing of the simulated services: it parses requests, calls one
// handler, and writes its response.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server.hpp"

namespace crmsync::sim {

class HttpServer final : public Server {
 public:
  // Starts serving; throws std::runtime_error with a clear message on failure
  // (address in use, bad certificate).
  HttpServer(ServerOptions options, Handler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  ~HttpServer() override;
  std::uint16_t port() const override;
  std::uint64_t requests_on_resumed_tls() const override;
  std::string origin() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::sim

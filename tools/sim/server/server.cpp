#include "server.hpp"

#include <utility>

#include "h2_server.hpp"
#include "http_server.hpp"

namespace crmsync::sim {

std::unique_ptr<Server> MakeServer(ServerOptions options, Handler handler) {
  if (options.http2) return std::make_unique<H2Server>(std::move(options), std::move(handler));
  return std::make_unique<HttpServer>(std::move(options), std::move(handler));
}

}  // namespace crmsync::sim

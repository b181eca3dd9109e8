// The HTTP/2 server's listening socket: bound to one host (never all
// interfaces unless asked), non-blocking, with a backlog deep enough for the
// bursts of connects benchmarks make.
#pragma once

#include <cstdint>
#include <string>

namespace crmsync::sim {

// A listening socket on host:port (port 0: any free port). Throws
// std::runtime_error "crmsync-sim: cannot listen on HOST:PORT: REASON".
int OpenListenSocket(const std::string& host, std::uint16_t port);
// The port the socket is bound to.
std::uint16_t BoundPort(int fd);
// host for a URL: IPv6 literals in brackets.
std::string OriginHost(const std::string& host);

}  // namespace crmsync::sim

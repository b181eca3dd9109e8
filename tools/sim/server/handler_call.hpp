// What both transports do around the handler the same way: the body size cap,
// the JSON errors they answer themselves, and turning a handler's exception
// into a 500 instead of a lost connection.
#pragma once

#include <cstddef>
#include <string>

#include "server.hpp"

namespace crmsync::sim {

// Larger than any request the engine sends (a 200-record composite upsert is a
// few MiB); anything bigger is a client bug the simulator should surface.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{64} << 20;

// {"error":{"code":CODE,"message":MESSAGE}} with status and a JSON content type.
HttpResponse JsonError(int status, const char* code, const std::string& message);
// 413 requestEntityTooLarge naming the cap.
HttpResponse TooLargeResponse();
// handler(request), or 500 simInternalError (logged to stderr with the method
// and path) when it throws.
HttpResponse CallHandler(const Handler& handler, const HttpRequest& request);

std::string Lower(std::string text);

}  // namespace crmsync::sim

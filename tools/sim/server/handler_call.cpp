#include "handler_call.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>

#include <fmt/core.h>

#include "json_escape.hpp"

namespace crmsync::sim {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

HttpResponse JsonError(int status, const char* code, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace("Content-Type", "application/json");
  r.body = fmt::format(R"({{"error":{{"code":"{}","message":"{}"}}}})", code, JsonEscape(message));
  return r;
}

HttpResponse TooLargeResponse() {
  return JsonError(413, "requestEntityTooLarge", fmt::format("request body exceeds {} bytes", kMaxBodyBytes));
}

HttpResponse CallHandler(const Handler& handler, const HttpRequest& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crmsync-sim: handler failed on %s %s: %s\n", request.method.c_str(),
                 request.path.c_str(), e.what());
    return JsonError(500, "simInternalError", e.what());
  } catch (...) {
    std::fprintf(stderr, "crmsync-sim: handler failed on %s %s\n", request.method.c_str(),
                 request.path.c_str());
    return JsonError(500, "simInternalError", "unknown exception");
  }
}

}  // namespace crmsync::sim

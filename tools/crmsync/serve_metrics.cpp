// GET /metrics of `crmsync serve`: the metrics the last run wrote to
// <state>/metrics.prom. serve never opens the main state (a run holds its
// lock), so the file is the hand-over.
#include <fstream>
#include <sstream>

#include "crmsync/engine/metrics.hpp"
#include "serve_metrics.hpp"

namespace crmsync::tools {

bool IsMetricsRequest(const sim::HttpRequest& request) {
  return request.method == "GET" && request.path == "/metrics";
}

sim::HttpResponse MetricsResponse(const std::string& state_dir) {
  sim::HttpResponse response;
  std::ifstream in(engine::MetricsFileFor(state_dir), std::ios::binary);
  if (!in) {
    response.status = 404;
    response.headers.emplace("Content-Type", "text/plain; charset=utf-8");
    response.body = "no metrics yet: `crmsync run` writes them at the end of each run\n";
    return response;
  }
  std::ostringstream text;
  text << in.rdbuf();
  response.headers.emplace("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.body = text.str();
  return response;
}

}  // namespace crmsync::tools

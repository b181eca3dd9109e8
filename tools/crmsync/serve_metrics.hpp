// GET /metrics of `crmsync serve` (serve_metrics.cpp).
#pragma once

#include <string>

#include "http_server.hpp"

namespace crmsync::tools {

bool IsMetricsRequest(const sim::HttpRequest& request);
sim::HttpResponse MetricsResponse(const std::string& state_dir);

}  // namespace crmsync::tools

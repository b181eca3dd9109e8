// GET /services/data/ (versions), /services/data/vNN.0 (resources) and
// /services/data/vNN.0/limits.
#include <fmt/format.h>

#include "sim_state.hpp"

namespace crmsync::sim {
namespace {

constexpr int kFirstVersion = 46;   // Summer '19; every release adds 1.0
constexpr int kLastVersion = 67;    // Summer '26
constexpr int kFirstVersionYear = 19;

std::string ReleaseLabel(int version) {
  static constexpr std::string_view kSeasons[] = {"Summer", "Winter", "Spring"};
  int k = version - kFirstVersion;
  return fmt::format("{} '{:02}", kSeasons[k % 3], kFirstVersionYear + (k + 2) / 3);
}

}  // namespace

HttpResponse SalesforceSim::Impl::HandleVersions(const HttpRequest& request) {
  // The version list is public on a real org; a valid session is counted.
  auto org = Authenticate(request);
  std::uint64_t usage = org == nullptr ? 0 : org->api_usage.fetch_add(1) + 1;
  HttpResponse response;
  if (request.method != "GET" && request.method != "HEAD") {
    response = sf::RestError(405, {"METHOD_NOT_ALLOWED",
                                   "HTTP Method '" + request.method + "' not allowed. Allowed are GET,HEAD",
                                   {}});
  } else {
    std::string body = "[";
    for (int v = kFirstVersion; v <= kLastVersion; ++v) {
      if (v != kFirstVersion) body.push_back(',');
      fmt::format_to(std::back_inserter(body),
                     R"({{"label":"{}","url":"/services/data/v{}.0","version":"{}.0"}})",
                     ReleaseLabel(v), v, v);
    }
    body.push_back(']');
    response = sf::JsonResponse(200, std::move(body));
  }
  sf::AddLimitInfo(response, usage);
  return response;
}

HttpResponse SalesforceSim::Impl::HandleVersionRoot(int version, sf::Org&) {
  std::string body = "{";
  bool first = true;
  for (std::string_view resource : {"composite", "limits", "query", "sobjects"}) {
    if (!first) body.push_back(',');
    first = false;
    fmt::format_to(std::back_inserter(body), R"("{}":"/services/data/v{}.0/{}")", resource, version,
                   resource);
  }
  body.push_back('}');
  return sf::JsonResponse(200, std::move(body));
}

HttpResponse SalesforceSim::Impl::HandleLimits(sf::Org& org) {
  std::uint64_t used = org.api_usage.load();
  std::uint64_t remaining = used >= sf::kDailyApiAllocation ? 0 : sf::kDailyApiAllocation - used;
  return sf::JsonResponse(
      200, fmt::format(R"({{"DailyApiRequests":{{"Max":{},"Remaining":{}}}}})", sf::kDailyApiAllocation, remaining));
}

}  // namespace crmsync::sim

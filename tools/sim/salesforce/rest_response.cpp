#include <fmt/format.h>

#include "sim_state.hpp"

namespace crmsync::sim::sf {
namespace {

constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";
constexpr std::array<std::string_view, static_cast<std::size_t>(Family::kCount)> kFamilyNames = {
    "sf.token", "sf.versions", "sf.query", "sf.upsert", "sf.other"};

}  // namespace

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace("Content-Type", kJsonContentType);
  response.body = std::move(body);
  return response;
}

HttpResponse RestError(int status, const SfError& error) {
  return JsonResponse(status, RestErrorBody(error));
}

HttpResponse OAuthError(std::string_view error, std::string_view description) {
  std::string body = "{\"error\":";
  AppendJsonString(body, error);
  body.append(",\"error_description\":");
  AppendJsonString(body, description);
  body.push_back('}');
  return JsonResponse(400, std::move(body));
}

void AddLimitInfo(HttpResponse& response, std::uint64_t api_usage) {
  response.headers.emplace("Sforce-Limit-Info",
                           fmt::format("api-usage={}/{}", api_usage, kDailyApiAllocation));
}

void RequestCounter::Add(Family family, int status) {
  if (status < 0 || status >= kStatuses) status = 0;
  counts_[static_cast<std::size_t>(family)][static_cast<std::size_t>(status)].fetch_add(
      1, std::memory_order_relaxed);
}

std::map<std::string, std::map<int, std::uint64_t>> RequestCounter::Snapshot() const {
  std::map<std::string, std::map<int, std::uint64_t>> out;
  for (std::size_t f = 0; f < counts_.size(); ++f) {
    for (int status = 0; status < kStatuses; ++status) {
      std::uint64_t n = counts_[f][static_cast<std::size_t>(status)].load(std::memory_order_relaxed);
      if (n != 0) out[std::string(kFamilyNames[f])][status] = n;
    }
  }
  return out;
}

}  // namespace crmsync::sim::sf

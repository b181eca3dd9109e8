#include "http_util.hpp"

#include <fmt/core.h>

#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

void AddGraphIds(const HttpRequest& request, HttpResponse& response, const std::string& request_id) {
  std::string client_id = request.header("client-request-id");
  response.headers.emplace("request-id", request_id);
  response.headers.emplace("client-request-id", client_id.empty() ? request_id : client_id);
}

HttpResponse GraphError(const HttpRequest& request, int status, std::string_view code,
                        std::string_view message) {
  std::string request_id = RandomUuid();
  std::string client_id = request.header("client-request-id");
  HttpResponse r = JsonResponse(
      status,
      fmt::format(R"({{"error":{{"code":"{}","message":"{}","innerError":{{"date":"{}","request-id":"{}","client-request-id":"{}"}}}}}})",
                  JsonEscape(code), JsonEscape(message), FormatIsoUtc(std::time(nullptr)), request_id,
                  JsonEscape(client_id.empty() ? request_id : client_id)));
  AddGraphIds(request, r, request_id);
  return r;
}

Preferences ParsePrefer(std::string_view header) {
  Preferences prefs;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::size_t eq = item.find('=');
    std::string name = AsciiLower(Trim(item.substr(0, eq)));
    std::string_view value = eq == std::string_view::npos ? std::string_view() : Trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (name == "odata.maxpagesize") {
      if (auto n = ParseUint(value); n && *n >= 1) prefs.max_page_size = static_cast<int>(std::min<std::uint64_t>(*n, 1'000'000));
    } else if (name == "outlook.body-content-type") {
      prefs.text_body = EqualsNoCase(value, "text");
    } else if (name == "idtype") {
      prefs.immutable_id = EqualsNoCase(value, "ImmutableId");
    }
  }
  return prefs;
}

std::optional<std::string> QueryValue(const HttpRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end()) return std::nullopt;
  return it->second;
}

void RequestStats::Count(const std::string& family, int status) {
  std::lock_guard lock(mutex_);
  ++counts_[family][status];
}

std::map<std::string, std::map<int, std::uint64_t>> RequestStats::Snapshot() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace crmsync::sim

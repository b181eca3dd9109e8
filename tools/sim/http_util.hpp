// Response helpers and per-endpoint request counters shared by the services.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http_server.hpp"

namespace crmsync::sim {

HttpResponse JsonResponse(int status, std::string body);

// The Graph-shaped error {"error":{"code","message","innerError":{...}}} with
// request-id / client-request-id headers.
HttpResponse GraphError(const HttpRequest& request, int status, std::string_view code,
                        std::string_view message);
// Adds request-id and client-request-id (echoed when the client sent one).
void AddGraphIds(const HttpRequest& request, HttpResponse& response, const std::string& request_id);

// The parts of Prefer headers the simulator honours (RFC 7240; several
// preferences may share one header, separated by commas).
struct Preferences {
  std::optional<int> max_page_size;     // odata.maxpagesize=N
  bool text_body = false;               // outlook.body-content-type="text"
  bool immutable_id = false;            // IdType="ImmutableId"
};
Preferences ParsePrefer(std::string_view header);

// The first query value named `name`, if any.
std::optional<std::string> QueryValue(const HttpRequest& request, const std::string& name);

// Thread-safe counters of responses by endpoint family and status.
class RequestStats {
 public:
  void Count(const std::string& family, int status);
  std::map<std::string, std::map<int, std::uint64_t>> Snapshot() const;
  // Requests served that returned message (later: event) content: Graph
  // delta pages holding messages, Gmail messages.get (also inside a batch).
  void CountDetailRead() { detail_reads_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t detail_reads() const { return detail_reads_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> detail_reads_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::map<int, std::uint64_t>> counts_;
};

}  // namespace crmsync::sim

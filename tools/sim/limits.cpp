#include "limits.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/core.h>

namespace crmsync::sim {
namespace {

constexpr std::string_view kGraphUsers = "/v1.0/users/";
constexpr std::string_view kSalesforceData = "/services/data/";
// Graph's mailbox concurrency rejections carry a short Retry-After.
constexpr int kConcurrencyRetryAfterSeconds = 1;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

HttpResponse GraphThrottled(std::string_view code, std::string_view message, std::int64_t retry_after_seconds) {
  HttpResponse r = JsonResponse(
      429, fmt::format(R"({{"error":{{"code":"{}","message":"{}","innerError":{{"code":"429","status":"429"}}}}}})",
                       code, message));
  r.headers.emplace("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

HttpResponse SalesforceLimitExceeded(std::string_view message) {
  return JsonResponse(403, fmt::format(R"([{{"message":"{}","errorCode":"REQUEST_LIMIT_EXCEEDED"}}])", message));
}

}  // namespace

std::optional<LimitsOptions> LimitsProfile(const std::string& name) {
  if (name != "realistic") return std::nullopt;
  LimitsOptions options;
  options.profile = name;
  return options;
}

SimLimits::SimLimits(LimitsOptions options, RequestStats& stats) : options_(std::move(options)), stats_(stats) {}

HttpResponse SimLimits::Describe() const {
  std::lock_guard lock(mutex_);
  return JsonResponse(
      200, fmt::format(R"({{"profile":"{}","latency_min_ms":{},"latency_max_ms":{},"mailbox_concurrency":{},)"
                       R"("mailbox_requests":{},"mailbox_window_seconds":{},"org_concurrency":{},)"
                       R"("org_daily_requests":{},"rejected":{{"mailbox":{},"org":{}}},)"
                       R"("peak_in_flight":{{"mailbox":{},"org":{},"org_writes":{}}}}})",
                       options_.profile, options_.latency_min_ms, options_.latency_max_ms,
                       options_.mailbox_concurrency, options_.mailbox_requests, options_.mailbox_window_seconds,
                       options_.org_concurrency, options_.org_daily_requests, rejected_mailbox_, rejected_org_,
                       peak_mailbox_in_flight_, peak_org_in_flight_, peak_org_writes_in_flight_));
}

SimLimits::Key SimLimits::Classify(const HttpRequest& request) {
  const std::string_view path = request.path;
  if (path.substr(0, kGraphUsers.size()) == kGraphUsers) {
    // /v1.0/users/{id}/... is a mailbox request; /v1.0/users itself is the directory.
    const std::string_view rest = path.substr(kGraphUsers.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return {};
    // The application is known by its token: one per tenant's app registration.
    return {Key::kMailbox, request.header("authorization") + "|" + std::string(rest.substr(0, slash))};
  }
  if (path.substr(0, kSalesforceData.size()) == kSalesforceData) {
    return {Key::kOrg, request.header("authorization"), path.find("/composite/") != std::string_view::npos};
  }
  return {};
}

std::optional<HttpResponse> SimLimits::Admit(const Key& key) {
  std::lock_guard lock(mutex_);
  if (key.kind == Key::kMailbox) {
    Window& window = windows_[key.id];
    const std::int64_t now = NowMs();
    const std::int64_t length_ms = std::int64_t{options_.mailbox_window_seconds} * 1000;
    if (now - window.started_ms >= length_ms) window = Window{now, 0};
    if (window.count >= options_.mailbox_requests) {
      ++rejected_mailbox_;
      const std::int64_t wait_s = (window.started_ms + length_ms - now + 999) / 1000;
      return GraphThrottled("TooManyRequests", "Please retry again later.", std::max<std::int64_t>(1, wait_s));
    }
    int& in_flight = in_flight_[key.id];
    if (in_flight >= options_.mailbox_concurrency) {
      ++rejected_mailbox_;
      return GraphThrottled("ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                            kConcurrencyRetryAfterSeconds);
    }
    ++window.count;
    ++in_flight;
    peak_mailbox_in_flight_ = std::max(peak_mailbox_in_flight_, in_flight);
  } else if (key.kind == Key::kOrg) {
    std::int64_t& used = org_requests_[key.id];
    if (used >= options_.org_daily_requests) {
      ++rejected_org_;
      return SalesforceLimitExceeded("TotalRequests Limit exceeded.");
    }
    int& in_flight = in_flight_[key.id];
    if (in_flight >= options_.org_concurrency) {
      ++rejected_org_;
      return SalesforceLimitExceeded("ConcurrentPerOrgLongTxn Limit exceeded.");
    }
    ++used;
    ++in_flight;
    peak_org_in_flight_ = std::max(peak_org_in_flight_, in_flight);
    if (key.write) peak_org_writes_in_flight_ = std::max(peak_org_writes_in_flight_, ++writes_in_flight_[key.id]);
  }
  return std::nullopt;
}

void SimLimits::Release(const Key& key) {
  if (key.kind == Key::kNone) return;
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(key.id);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  if (key.write) {
    auto writes = writes_in_flight_.find(key.id);
    if (writes != writes_in_flight_.end() && --writes->second <= 0) writes_in_flight_.erase(writes);
  }
}

void SimLimits::Sleep() {
  int ms = 0;
  {
    std::lock_guard lock(mutex_);
    ms = std::uniform_int_distribution<int>(options_.latency_min_ms, options_.latency_max_ms)(rng_);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

HttpResponse SimLimits::Apply(const HttpRequest& request, const std::function<HttpResponse()>& serve) {
  if (request.path.rfind("/_sim/", 0) == 0) return serve();   // the admin surface is not a remote service
  const Key key = Classify(request);
  if (auto rejection = Admit(key)) {
    // A rejection is fast, but not free: the real service answers it after a round trip too.
    Sleep();
    stats_.Count(key.kind == Key::kOrg ? "limits.salesforce" : "limits.graph", rejection->status);
    return *rejection;
  }
  // The request holds its concurrency slot for its whole latency, as a slow service would.
  struct Slot {
    SimLimits* self;
    const Key& key;
    ~Slot() { self->Release(key); }
  } slot{this, key};
  Sleep();
  return serve();
}

}  // namespace crmsync::sim

// Limits mode of crmsync-sim (--limits realistic): the latency and the
// concurrency and rate limits of the real services, applied in front of the
// simulated services. Separate from fault injection: limits are what a
// healthy service enforces, and a client that respects them sees no error.
//
// The server runs one thread per connection, so the latency (a sleep on the
// request's own thread) delays only that client's connection.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "http_server.hpp"
#include "http_util.hpp"

namespace crmsync::sim {

struct LimitsOptions {
  std::string profile;
  int latency_min_ms = 60, latency_max_ms = 120;
  // Outlook: per (app, mailbox) pair (API-FACTS §1.7).
  int mailbox_concurrency = 4;
  std::int64_t mailbox_requests = 10000;
  int mailbox_window_seconds = 600;
  // Salesforce, per org: concurrent requests, and the daily allocation.
  int org_concurrency = 25;
  std::int64_t org_daily_requests = 1000000;
};

// "realistic" -> the limits above; nullopt for an unknown profile name.
std::optional<LimitsOptions> LimitsProfile(const std::string& name);

class SimLimits {
 public:
  SimLimits(LimitsOptions options, RequestStats& stats);

  static bool Owns(const HttpRequest& request) { return request.path == "/_sim/limits"; }
  // GET /_sim/limits: the profile, the rejections so far, and the peak
  // number of requests in flight on one mailbox, on one org, and of those
  // the writes (…/composite/…) on one org.
  HttpResponse Describe() const;

  // Serves `request` through `serve` within the limits: a request over a
  // limit is answered here (Graph 429 with Retry-After, Salesforce 403
  // REQUEST_LIMIT_EXCEEDED) and never reaches the service.
  HttpResponse Apply(const HttpRequest& request, const std::function<HttpResponse()>& serve);

 private:
  struct Window {
    std::int64_t started_ms = 0, count = 0;
  };
  struct Key {
    enum Kind { kNone, kMailbox, kOrg } kind = kNone;
    std::string id;
    bool write = false;   // an org's sObject Collections / Composite write
  };
  static Key Classify(const HttpRequest& request);
  std::optional<HttpResponse> Admit(const Key& key);
  void Release(const Key& key);
  void Sleep();

  const LimitsOptions options_;
  RequestStats& stats_;
  mutable std::mutex mutex_;
  std::map<std::string, int> in_flight_;
  std::map<std::string, Window> windows_;
  std::map<std::string, std::int64_t> org_requests_;
  std::uint64_t rejected_mailbox_ = 0, rejected_org_ = 0;
  // The most requests admitted at once on any one mailbox / org (GET /_sim/limits).
  int peak_mailbox_in_flight_ = 0, peak_org_in_flight_ = 0, peak_org_writes_in_flight_ = 0;
  std::map<std::string, int> writes_in_flight_;   // per org: the writes among in_flight_
  std::mt19937 rng_{12345};
};

}  // namespace crmsync::sim

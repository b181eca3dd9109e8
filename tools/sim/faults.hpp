// The simulator's fault plan (POST/GET /_sim/faults, --fault-rate): which
// faults each endpoint family answers with, at which rates, and the
// per-record Salesforce errors. Decisions are pure functions of the seed and
// of the request (its method, path, query and body, and how many times that
// same request was seen), so a run's faults do not depend on thread timing.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "http_server.hpp"

namespace crmsync::sim {

enum class FaultFamily {
  kGraph,             // Graph mail, users, groups
  kEws,
  kGmail,             // Gmail API and its batch endpoint
  kCalendar,          // Graph and Google calendar endpoints
  kGoogleDirectory,   // Admin SDK Directory
  kGoogleToken,       // oauth2.googleapis.com/token (JWT bearer)
  kMsToken,           // login.microsoftonline.com token endpoint
  kSalesforceToken,   // /services/oauth2/token (refresh-token grant)
  kSalesforceQuery,   // SOQL, versions, limits
  kSalesforceWrite,   // sObject Collections upsert, Composite Graph
};
inline constexpr int kFaultFamilyCount = 10;

enum class FaultKind {
  kLatency,              // answered normally after an added delay
  kThrottle,             // 429 + Retry-After (Salesforce: 403 REQUEST_LIMIT_EXCEEDED); not executed
  kServerError,          // 500, 502 or 503; not executed
  kReset,                // executed, then the connection drops halfway through the body
  kHang,                 // no byte until the client gives up (bounded by hang_ms); not executed
  kExpiredToken,         // 401 as for an expired access token; not executed
  kRevokedRefreshToken,  // token families only: 400 invalid_grant; not executed
  kMalformedJson,        // executed, answered 200 with the body cut in half
  kInvalidUtf8,          // executed, answered with a byte 0xFF inside the body
  kOversized,            // answered with a Content-Length of oversized_bytes; not executed
};
inline constexpr int kFaultKindCount = 10;

std::string_view FaultFamilyName(FaultFamily family);
std::string_view FaultKindName(FaultKind kind);
std::optional<FaultFamily> ParseFaultFamily(std::string_view name);
std::optional<FaultKind> ParseFaultKind(std::string_view name);

// The family of a request, or nullopt for /_sim/ and unknown paths.
std::optional<FaultFamily> FamilyOf(const HttpRequest& request);

struct FaultConfig {
  std::uint64_t seed = 1;
  // rates[family][kind]: probability in [0, 1] per request.
  std::array<std::array<double, kFaultKindCount>, kFaultFamilyCount> rates{};
  // Probability that a Task or EmailMessage key is rejected permanently by Salesforce
  // (the same key always, while the plan is in force).
  double record_error_rate = 0;
  std::chrono::milliseconds latency_min{5};
  std::chrono::milliseconds latency_max{50};
  std::chrono::milliseconds retry_after{50};   // sent fractional, in seconds
  std::chrono::milliseconds hang{2000};        // bounded: tests never hang
  std::uint64_t oversized_bytes = std::uint64_t{80} << 20;
  // Requests in flight at once per mailbox / per Salesforce org before a
  // 429 / REQUEST_LIMIT_EXCEEDED; 0 = unlimited.
  int max_in_flight_per_mailbox = 0;
  int max_in_flight_per_org = 0;
};

inline constexpr std::chrono::milliseconds kMaxHang{30000};
inline constexpr std::chrono::milliseconds kMaxLatency{30000};

// Faults on `rate` of the requests of every family, split evenly between the
// kinds that apply to it, except revoked refresh tokens: the engine answers
// those by suspending the connection until an administrator reconnects it
// (by design), so a mix would end runs rather than test them. The
// per-record error rate is `rate` too.
FaultConfig MixedFaults(double rate, std::uint64_t seed);

// Parses the POST /_sim/faults body (tools/sim/README.md). Errors name the
// field and value at fault.
std::optional<FaultConfig> ParseFaultConfig(std::string_view json, std::string& error);

// What the router does with one request.
struct FaultDecision {
  std::optional<FaultKind> kind;         // nullopt: no fault
  std::chrono::milliseconds delay{0};    // kLatency, kHang
  int status = 0;                        // kServerError: 500/502/503
};

class FaultPlan {
 public:
  void Set(const FaultConfig& config);
  FaultConfig config() const;
  bool active() const { return active_.load(std::memory_order_relaxed); }

  // The fault (if any) for this request of `family`. Counts it as injected.
  FaultDecision Decide(FaultFamily family, const HttpRequest& request);

  // The response that stands for an unexecuted fault (throttle, server
  // error, expired or revoked token, hang, oversized), shaped like the
  // family's real service.
  HttpResponse FaultResponse(FaultFamily family, const FaultDecision& decision) const;
  // Damages an executed response (reset, malformed JSON, invalid UTF-8).
  static void Damage(FaultKind kind, HttpResponse& response);

  // Per-record errors: the Salesforce error (statusCode, message) for `key`
  // of `tenant`, or nullopt. Records the key as rejected when it fails.
  std::optional<std::pair<std::string, std::string>> RecordError(const std::string& tenant,
                                                                 const std::string& key);
  // Keys rejected so far (whatever the plan now says), for /_sim/verify.
  bool WasRejected(const std::string& tenant, const std::string& key) const;
  std::map<std::string, std::set<std::string>> Rejected() const;

  // Concurrency limits: false when the request would exceed the limit of its
  // mailbox / org (the caller answers the family's throttle). A true result
  // must be matched by Leave(slot).
  struct Slot {
    std::string key;   // "" when no limit applies
  };
  bool Enter(FaultFamily family, const HttpRequest& request, Slot& slot);
  void Leave(const Slot& slot);

  // The answer to a request over its mailbox's / org's concurrency limit.
  HttpResponse ConcurrencyResponse(FaultFamily family) const;

  // {"config":{...},"injected":{"graph":{"throttle":3,...},...},"rejected":N}
  std::string Json() const;

 private:
  std::uint64_t Occurrence(std::uint64_t signature);

  std::atomic<bool> active_{false};
  mutable std::mutex mutex_;
  FaultConfig config_;
  std::unordered_map<std::uint64_t, std::uint32_t> seen_;   // request signature -> times seen
  std::array<std::array<std::uint64_t, kFaultKindCount + 1>, kFaultFamilyCount> injected_{};   // +1: concurrency
  std::map<std::string, std::set<std::string>> rejected_;   // tenant -> keys
  std::map<std::string, int> in_flight_;
};

// Serves `request` of `family` under the plan: concurrency limit, then the
// drawn fault; `execute` runs the real service (or not, for faults that
// answer before it). Sleeps for latency and hangs on the caller's thread.
HttpResponse ServeWithFaults(FaultPlan& plan, FaultFamily family, const HttpRequest& request,
                             const std::function<HttpResponse()>& execute);

// GET /_sim/faults (the plan and what it injected so far), POST /_sim/faults
// (replace the plan; {} clears it). Other methods: 405.
HttpResponse HandleFaultsAdmin(FaultPlan& plan, const HttpRequest& request);

}  // namespace crmsync::sim

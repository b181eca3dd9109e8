#include "faults.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <thread>

#include <fmt/core.h>
#include <simdjson.h>

#include "json_escape.hpp"
#include "prng.hpp"

namespace crmsync::sim {
namespace {

constexpr std::array<std::string_view, kFaultFamilyCount> kFamilyNames = {
    "graph",        "ews",        "gmail",           "calendar",         "google_directory",
    "google_token", "ms_token",   "salesforce_token", "salesforce_query", "salesforce_write"};
constexpr std::array<std::string_view, kFaultKindCount> kKindNames = {
    "latency",       "throttle",              "server_error",   "reset",        "hang",
    "expired_token", "revoked_refresh_token", "malformed_json", "invalid_utf8", "oversized"};
constexpr std::string_view kConcurrencyName = "concurrency_limit";

bool IsTokenFamily(FaultFamily f) {
  return f == FaultFamily::kGoogleToken || f == FaultFamily::kMsToken || f == FaultFamily::kSalesforceToken;
}
bool IsSalesforceApi(FaultFamily f) {
  return f == FaultFamily::kSalesforceQuery || f == FaultFamily::kSalesforceWrite;
}
bool IsGoogleApi(FaultFamily f) { return f == FaultFamily::kGmail || f == FaultFamily::kGoogleDirectory; }

// Kinds that make no sense for a family answer nothing: token endpoints hand
// out tokens (no access token to expire), and only the refresh-token grants
// (Salesforce) and the JWT bearer grant (Google) have a grant to revoke.
bool Applies(FaultFamily family, FaultKind kind) {
  if (kind == FaultKind::kExpiredToken) return !IsTokenFamily(family);
  if (kind == FaultKind::kRevokedRefreshToken) {
    return family == FaultFamily::kSalesforceToken || family == FaultFamily::kGoogleToken;
  }
  return true;
}

double Unit(std::uint64_t h) { return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0); }

std::uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

std::string AsciiLower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

// The path segment after "/users/", or "".
std::string UserSegment(const std::string& path) {
  const std::size_t at = path.find("/users/");
  if (at == std::string::npos) return {};
  const std::size_t start = at + 7;
  const std::size_t end = path.find('/', start);
  return AsciiLower(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

HttpResponse JsonReply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

std::string SecondsText(std::chrono::milliseconds ms) {
  return fmt::format("{:.3f}", static_cast<double>(ms.count()) / 1000.0);
}

std::string EwsServerBusy() {
  return R"(<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
         R"(<s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">)"
         R"(a:ErrorServerBusy</faultcode><faultstring xml:lang="en-US">The server cannot service this request )"
         R"(right now. Try again later.</faultstring><detail><e:ResponseCode )"
         R"(xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode>)"
         R"(</detail></s:Fault></s:Body></s:Envelope>)";
}

HttpResponse Throttle(FaultFamily family, std::chrono::milliseconds retry_after) {
  HttpResponse r;
  if (IsSalesforceApi(family)) {
    // Salesforce sends no Retry-After: REQUEST_LIMIT_EXCEEDED is a 403.
    return JsonReply(403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  }
  if (family == FaultFamily::kEws) {
    r.status = 503;   // IIS queueing (API-FACTS §2.5)
    r.headers.emplace("Content-Type", "text/html");
    r.body = "<html><body>Service Unavailable</body></html>";
  } else if (IsGoogleApi(family)) {
    r = JsonReply(429, R"({"error":{"code":429,"message":"Too Many Requests","errors":[{"domain":"usageLimits",)"
                  R"("reason":"rateLimitExceeded","message":"Rate Limit Exceeded"}],"status":"RESOURCE_EXHAUSTED"}})");
  } else if (IsTokenFamily(family)) {
    r = JsonReply(429, R"({"error":"temporarily_unavailable","error_description":"The service is throttling requests."})");
  } else {
    r = JsonReply(429, R"({"error":{"code":"TooManyRequests","message":"Please retry again later."}})");
  }
  r.headers.emplace("Retry-After", SecondsText(retry_after));
  return r;
}

HttpResponse ServerError(FaultFamily family, int status) {
  if (status == 502) {
    HttpResponse r;
    r.status = 502;   // what a gateway in front of any service says
    r.headers.emplace("Content-Type", "text/html");
    r.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    return r;
  }
  if (family == FaultFamily::kEws) {
    if (status == 503) return Throttle(family, std::chrono::milliseconds{0});
    HttpResponse r;
    r.status = 500;
    r.headers.emplace("Content-Type", "text/xml; charset=utf-8");
    r.body = EwsServerBusy();
    return r;
  }
  if (IsSalesforceApi(family)) {
    return JsonReply(status, status == 503
                            ? R"([{"message":"Server temporarily unavailable","errorCode":"SERVER_UNAVAILABLE"}])"
                            : R"([{"message":"An unexpected error occurred.","errorCode":"UNKNOWN_EXCEPTION"}])");
  }
  if (IsTokenFamily(family)) {
    return JsonReply(status, R"({"error":"server_error","error_description":"The service is temporarily unavailable."})");
  }
  if (IsGoogleApi(family)) {
    return JsonReply(status, fmt::format(R"({{"error":{{"code":{},"message":"Backend Error","errors":[{{"domain":"global",)"
                                    R"("reason":"backendError","message":"Backend Error"}}]}}}})",
                                    status));
  }
  return JsonReply(status, status == 503 ? R"({"error":{"code":"ServiceUnavailable","message":"Service unavailable."}})"
                                    : R"({"error":{"code":"InternalServerError","message":"Internal error."}})");
}

HttpResponse ExpiredToken(FaultFamily family) {
  if (IsSalesforceApi(family)) {
    return JsonReply(401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  }
  if (family == FaultFamily::kEws) {
    HttpResponse r;
    r.status = 401;
    r.headers.emplace("WWW-Authenticate", R"(Bearer error="invalid_token")");
    r.headers.emplace("Content-Type", "text/html");
    return r;
  }
  if (IsGoogleApi(family)) {
    return JsonReply(401, R"({"error":{"code":401,"message":"Invalid Credentials","errors":[{"domain":"global",)"
                     R"("reason":"authError","message":"Invalid Credentials","locationType":"header",)"
                     R"("location":"Authorization"}],"status":"UNAUTHENTICATED"}})");
  }
  HttpResponse r = JsonReply(401, R"({"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}})");
  r.headers.emplace("WWW-Authenticate", R"(Bearer error="invalid_token")");
  return r;
}

HttpResponse RevokedGrant(FaultFamily family) {
  if (family == FaultFamily::kGoogleToken) {
    return JsonReply(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  }
  return JsonReply(400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
}

template <typename T>
bool ReadNumber(simdjson::dom::element value, std::string_view field, T& out, double min, double max,
                std::string& error) {
  double d = 0;
  if (value.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d) || d < min || d > max) {
    error = fmt::format("faults: '{}' must be a number from {} to {}", field, min, max);
    return false;
  }
  out = static_cast<T>(d);
  return true;
}

}  // namespace

std::string_view FaultFamilyName(FaultFamily family) { return kFamilyNames[static_cast<std::size_t>(family)]; }
std::string_view FaultKindName(FaultKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

std::optional<FaultFamily> ParseFaultFamily(std::string_view name) {
  for (int i = 0; i < kFaultFamilyCount; ++i) {
    if (kFamilyNames[static_cast<std::size_t>(i)] == name) return static_cast<FaultFamily>(i);
  }
  return std::nullopt;
}

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  for (int i = 0; i < kFaultKindCount; ++i) {
    if (kKindNames[static_cast<std::size_t>(i)] == name) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

std::optional<FaultFamily> FamilyOf(const HttpRequest& request) {
  const std::string& p = request.path;
  if (p.starts_with("/_sim/")) return std::nullopt;
  if (p.starts_with("/services/")) {
    if (p.starts_with("/services/oauth2/")) return FaultFamily::kSalesforceToken;
    if (p.find("/composite/") != std::string::npos) return FaultFamily::kSalesforceWrite;
    return FaultFamily::kSalesforceQuery;
  }
  if (p == "/token") return FaultFamily::kGoogleToken;
  if (p.ends_with("/oauth2/v2.0/token")) return FaultFamily::kMsToken;
  if (p.starts_with("/admin/directory/")) return FaultFamily::kGoogleDirectory;
  if (p.starts_with("/calendar/")) return FaultFamily::kCalendar;
  if (p.starts_with("/gmail/") || p.starts_with("/batch/gmail")) return FaultFamily::kGmail;
  if (p.starts_with("/v1.0")) {
    if (p.find("/calendarView/") != std::string::npos || p.find("/calendar/getSchedule") != std::string::npos) {
      return FaultFamily::kCalendar;
    }
    return FaultFamily::kGraph;
  }
  if (p.size() == 18 && AsciiLower(p) == "/ews/exchange.asmx") return FaultFamily::kEws;
  return std::nullopt;
}

FaultConfig MixedFaults(double rate, std::uint64_t seed) {
  FaultConfig c;
  c.seed = seed;
  for (int f = 0; f < kFaultFamilyCount; ++f) {
    const auto family = static_cast<FaultFamily>(f);
    int kinds = 0;
    for (int k = 0; k < kFaultKindCount; ++k) {
      const auto kind = static_cast<FaultKind>(k);
      kinds += Applies(family, kind) && kind != FaultKind::kRevokedRefreshToken ? 1 : 0;
    }
    for (int k = 0; k < kFaultKindCount; ++k) {
      const auto kind = static_cast<FaultKind>(k);
      const bool mixed = Applies(family, kind) && kind != FaultKind::kRevokedRefreshToken;
      c.rates[static_cast<std::size_t>(f)][static_cast<std::size_t>(k)] = mixed ? rate / kinds : 0;
    }
  }
  c.record_error_rate = rate;
  return c;
}

std::optional<FaultConfig> ParseFaultConfig(std::string_view json, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto e = parser.parse(padded).get(root); e != simdjson::SUCCESS) {
    error = fmt::format("faults: the body is not valid JSON: {}", simdjson::error_message(e));
    return std::nullopt;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    error = "faults: the body must be a JSON object";
    return std::nullopt;
  }
  FaultConfig c;
  // "rate" first, whatever the key order: the families then override it.
  double rate = 0;
  std::uint64_t seed = 1;
  if (simdjson::dom::element v; object["seed"].get(v) == simdjson::SUCCESS) {
    if (!ReadNumber(v, "seed", seed, 0, 9.0e15, error)) return std::nullopt;
  }
  if (simdjson::dom::element v; object["rate"].get(v) == simdjson::SUCCESS) {
    if (!ReadNumber(v, "rate", rate, 0, 1, error)) return std::nullopt;
  }
  c = MixedFaults(rate, seed);
  for (auto field : object) {
    const std::string_view key = field.key;
    simdjson::dom::element v = field.value;
    if (key == "seed" || key == "rate") continue;
    if (key == "record_errors") {
      if (!ReadNumber(v, key, c.record_error_rate, 0, 1, error)) return std::nullopt;
    } else if (key == "latency_ms") {
      simdjson::dom::array range;
      if (v.get_array().get(range) != simdjson::SUCCESS || range.size() != 2) {
        error = "faults: 'latency_ms' must be [min, max]";
        return std::nullopt;
      }
      std::int64_t lo = 0, hi = 0;
      const double max = static_cast<double>(kMaxLatency.count());
      if (!ReadNumber(range.at(0), "latency_ms[0]", lo, 0, max, error) ||
          !ReadNumber(range.at(1), "latency_ms[1]", hi, 0, max, error)) {
        return std::nullopt;
      }
      if (lo > hi) {
        error = fmt::format("faults: 'latency_ms' min {} exceeds max {}", lo, hi);
        return std::nullopt;
      }
      c.latency_min = std::chrono::milliseconds(lo);
      c.latency_max = std::chrono::milliseconds(hi);
    } else if (key == "retry_after_ms") {
      std::int64_t ms = 0;
      if (!ReadNumber(v, key, ms, 0, 600000, error)) return std::nullopt;
      c.retry_after = std::chrono::milliseconds(ms);
    } else if (key == "hang_ms") {
      std::int64_t ms = 0;
      if (!ReadNumber(v, key, ms, 0, static_cast<double>(kMaxHang.count()), error)) return std::nullopt;
      c.hang = std::chrono::milliseconds(ms);
    } else if (key == "oversized_bytes") {
      if (!ReadNumber(v, key, c.oversized_bytes, 1, 1.0e12, error)) return std::nullopt;
    } else if (key == "max_in_flight_per_mailbox") {
      if (!ReadNumber(v, key, c.max_in_flight_per_mailbox, 0, 100000, error)) return std::nullopt;
    } else if (key == "max_in_flight_per_org") {
      if (!ReadNumber(v, key, c.max_in_flight_per_org, 0, 100000, error)) return std::nullopt;
    } else if (key == "families") {
      simdjson::dom::object families;
      if (v.get_object().get(families) != simdjson::SUCCESS) {
        error = "faults: 'families' must be an object of family -> {kind: rate}";
        return std::nullopt;
      }
      for (auto fam : families) {
        auto family = ParseFaultFamily(fam.key);
        simdjson::dom::object kinds;
        if (!family) {
          error = fmt::format("faults: unknown family '{}' in 'families'", JsonEscape(fam.key));
          return std::nullopt;
        }
        if (fam.value.get_object().get(kinds) != simdjson::SUCCESS) {
          error = fmt::format("faults: 'families.{}' must be an object of kind -> rate", fam.key);
          return std::nullopt;
        }
        for (auto k : kinds) {
          auto kind = ParseFaultKind(k.key);
          if (!kind) {
            error = fmt::format("faults: unknown fault kind '{}' in 'families.{}'", JsonEscape(k.key), fam.key);
            return std::nullopt;
          }
          const std::string where = fmt::format("families.{}.{}", fam.key, k.key);
          double r = 0;
          if (!ReadNumber(k.value, where, r, 0, 1, error)) return std::nullopt;
          c.rates[static_cast<std::size_t>(*family)][static_cast<std::size_t>(*kind)] = r;
        }
      }
    } else {
      error = fmt::format("faults: unknown field '{}'", JsonEscape(key));
      return std::nullopt;
    }
  }
  return c;
}

void FaultPlan::Set(const FaultConfig& config) {
  std::lock_guard lock(mutex_);
  config_ = config;
  seen_.clear();
  bool any = config.record_error_rate > 0 || config.max_in_flight_per_mailbox > 0 || config.max_in_flight_per_org > 0;
  for (const auto& family : config.rates) {
    for (double r : family) any = any || r > 0;
  }
  active_.store(any, std::memory_order_relaxed);
}

FaultConfig FaultPlan::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

FaultDecision FaultPlan::Decide(FaultFamily family, const HttpRequest& request) {
  FaultDecision decision;
  if (!active()) return decision;
  std::lock_guard lock(mutex_);
  const std::uint64_t signature =
      HashOf({config_.seed, static_cast<std::uint64_t>(family), Hash(request.method), Hash(request.path),
              Hash(request.raw_query), Hash(request.body)});
  const std::uint64_t draw = HashOf({signature, seen_[signature]++});
  const double u = Unit(draw);
  const auto& rates = config_.rates[static_cast<std::size_t>(family)];
  double cumulative = 0;
  for (int k = 0; k < kFaultKindCount; ++k) {
    const auto kind = static_cast<FaultKind>(k);
    if (!Applies(family, kind)) continue;
    cumulative += rates[static_cast<std::size_t>(k)];
    if (u >= cumulative) continue;
    decision.kind = kind;
    const std::uint64_t detail = Mix64(draw);
    if (kind == FaultKind::kLatency) {
      const auto span = static_cast<std::uint64_t>((config_.latency_max - config_.latency_min).count()) + 1;
      decision.delay = config_.latency_min + std::chrono::milliseconds(detail % span);
    } else if (kind == FaultKind::kHang) {
      decision.delay = std::min(config_.hang, kMaxHang);
    } else if (kind == FaultKind::kServerError) {
      static constexpr int kStatuses[] = {500, 502, 503};
      decision.status = kStatuses[detail % 3];
    }
    ++injected_[static_cast<std::size_t>(family)][static_cast<std::size_t>(k)];
    break;
  }
  return decision;
}

HttpResponse FaultPlan::FaultResponse(FaultFamily family, const FaultDecision& decision) const {
  const FaultKind kind = decision.kind.value_or(FaultKind::kServerError);
  switch (kind) {
    case FaultKind::kThrottle: {
      std::lock_guard lock(mutex_);
      return Throttle(family, config_.retry_after);
    }
    case FaultKind::kExpiredToken:
      return ExpiredToken(family);
    case FaultKind::kRevokedRefreshToken:
      return RevokedGrant(family);
    case FaultKind::kHang: {
      HttpResponse r;
      r.drop = true;
      return r;
    }
    case FaultKind::kOversized: {
      HttpResponse r = JsonReply(200, "{\"value\":[");
      std::lock_guard lock(mutex_);
      r.declared_bytes = config_.oversized_bytes;
      return r;
    }
    default:
      return ServerError(family, decision.status == 0 ? 500 : decision.status);
  }
}

void FaultPlan::Damage(FaultKind kind, HttpResponse& response) {
  std::string& body = response.body;
  if (kind == FaultKind::kReset) {
    response.cut_after = body.size() / 2;
  } else if (kind == FaultKind::kMalformedJson) {
    body.resize(body.size() / 2);
  } else if (kind == FaultKind::kInvalidUtf8) {
    // Inside the first string value: still well-formed JSON but for the byte.
    std::size_t colon = body.find("\":");
    std::size_t quote = colon == std::string::npos ? std::string::npos : body.find('"', colon + 2);
    body.insert(quote == std::string::npos ? body.size() / 2 : quote + 1, "\xff");
  }
}

std::optional<std::pair<std::string, std::string>> FaultPlan::RecordError(const std::string& tenant,
                                                                          const std::string& key) {
  if (!active()) return std::nullopt;
  const std::string lower = AsciiLower(key);
  std::lock_guard lock(mutex_);
  if (config_.record_error_rate <= 0) return std::nullopt;
  const std::uint64_t h = HashOf({config_.seed, 0x7265636f7264ULL, Hash(tenant), Hash(lower)});
  if (Unit(h) >= config_.record_error_rate) return std::nullopt;
  rejected_[tenant].insert(lower);
  switch (Mix64(h) % 3) {
    case 0:
      return std::make_pair(std::string("FIELD_CUSTOM_VALIDATION_EXCEPTION"),
                            std::string("Activities of this account are locked by validation rule Crmsync_Sim_Rule"));
    case 1:
      return std::make_pair(std::string("INSUFFICIENT_ACCESS_OR_READONLY"),
                            std::string("insufficient access rights on object id"));
    default:
      return std::make_pair(std::string("INVALID_CROSS_REFERENCE_KEY"),
                            std::string("Name ID: invalid cross reference id (unknown WhoId)"));
  }
}

bool FaultPlan::WasRejected(const std::string& tenant, const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = rejected_.find(tenant);
  return it != rejected_.end() && it->second.count(AsciiLower(key)) != 0;
}

std::map<std::string, std::set<std::string>> FaultPlan::Rejected() const {
  std::lock_guard lock(mutex_);
  return rejected_;
}

bool FaultPlan::Enter(FaultFamily family, const HttpRequest& request, Slot& slot) {
  slot.key.clear();
  if (!active()) return true;
  std::lock_guard lock(mutex_);
  int limit = 0;
  if (IsSalesforceApi(family)) {
    limit = config_.max_in_flight_per_org;
    // One session per org: its bearer token names the org.
    if (limit > 0) slot.key = "org:" + request.header("authorization");
  } else if (family == FaultFamily::kGraph || family == FaultFamily::kGmail || family == FaultFamily::kEws ||
             family == FaultFamily::kCalendar) {
    limit = config_.max_in_flight_per_mailbox;
    if (limit > 0) {
      std::string mailbox = family == FaultFamily::kEws ? AsciiLower(request.header("x-anchormailbox"))
                                                        : UserSegment(request.path);
      // A Gmail batch carries the mailbox in its delegated token only.
      if (mailbox.empty()) mailbox = request.header("authorization");
      slot.key = "mailbox:" + mailbox;
    }
  }
  if (slot.key.empty()) return true;
  int& n = in_flight_[slot.key];
  if (n >= limit) {
    if (n == 0) in_flight_.erase(slot.key);
    slot.key.clear();
    ++injected_[static_cast<std::size_t>(family)][kFaultKindCount];
    return false;
  }
  ++n;
  return true;
}

void FaultPlan::Leave(const Slot& slot) {
  if (slot.key.empty()) return;
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(slot.key);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
}

HttpResponse FaultPlan::ConcurrencyResponse(FaultFamily family) const {
  std::chrono::milliseconds retry_after;
  {
    std::lock_guard lock(mutex_);
    retry_after = config_.retry_after;
  }
  if (family != FaultFamily::kGraph && family != FaultFamily::kCalendar) return Throttle(family, retry_after);
  HttpResponse r = JsonReply(429, R"({"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}})");
  r.headers.emplace("Retry-After", SecondsText(retry_after));
  return r;
}

std::string FaultPlan::Json() const {
  std::lock_guard lock(mutex_);
  std::string families, injected;
  std::uint64_t total = 0;
  for (int f = 0; f < kFaultFamilyCount; ++f) {
    std::string rates, counts;
    for (int k = 0; k <= kFaultKindCount; ++k) {
      const std::uint64_t n = injected_[static_cast<std::size_t>(f)][static_cast<std::size_t>(k)];
      const std::string_view name = k == kFaultKindCount ? kConcurrencyName : kKindNames[static_cast<std::size_t>(k)];
      total += n;
      if (n > 0) counts += fmt::format(R"({}"{}":{})", counts.empty() ? "" : ",", name, n);
      if (k == kFaultKindCount) continue;
      const double r = config_.rates[static_cast<std::size_t>(f)][static_cast<std::size_t>(k)];
      if (r > 0) rates += fmt::format(R"({}"{}":{})", rates.empty() ? "" : ",", name, r);
    }
    const std::string_view name = kFamilyNames[static_cast<std::size_t>(f)];
    if (!rates.empty()) families += fmt::format(R"({}"{}":{{{}}})", families.empty() ? "" : ",", name, rates);
    if (!counts.empty()) injected += fmt::format(R"({}"{}":{{{}}})", injected.empty() ? "" : ",", name, counts);
  }
  std::string rejected;
  std::uint64_t rejected_total = 0;
  for (const auto& [tenant, keys] : rejected_) {
    rejected += fmt::format(R"({}"{}":{})", rejected.empty() ? "" : ",", JsonEscape(tenant), keys.size());
    rejected_total += keys.size();
  }
  return fmt::format(
      R"({{"config":{{"seed":{},"record_errors":{},"latency_ms":[{},{}],"retry_after_ms":{},"hang_ms":{},)"
      R"("oversized_bytes":{},"max_in_flight_per_mailbox":{},"max_in_flight_per_org":{},"families":{{{}}}}},)"
      R"("injected":{{{}}},"injected_total":{},"rejected":{},"rejected_by_tenant":{{{}}}}})",
      config_.seed, config_.record_error_rate, config_.latency_min.count(), config_.latency_max.count(),
      config_.retry_after.count(), config_.hang.count(), config_.oversized_bytes, config_.max_in_flight_per_mailbox,
      config_.max_in_flight_per_org, families, injected, total, rejected_total, rejected);
}

HttpResponse ServeWithFaults(FaultPlan& plan, FaultFamily family, const HttpRequest& request,
                             const std::function<HttpResponse()>& execute) {
  FaultPlan::Slot slot;
  if (!plan.Enter(family, request, slot)) return plan.ConcurrencyResponse(family);
  struct Leaver {
    FaultPlan& plan;
    const FaultPlan::Slot& slot;
    ~Leaver() { plan.Leave(slot); }
  } leaver{plan, slot};
  const FaultDecision decision = plan.Decide(family, request);
  if (!decision.kind) return execute();
  switch (*decision.kind) {
    case FaultKind::kLatency:
      std::this_thread::sleep_for(decision.delay);
      return execute();
    case FaultKind::kHang:
      std::this_thread::sleep_for(decision.delay);
      return plan.FaultResponse(family, decision);
    case FaultKind::kReset:
    case FaultKind::kMalformedJson:
    case FaultKind::kInvalidUtf8: {
      HttpResponse response = execute();
      FaultPlan::Damage(*decision.kind, response);
      return response;
    }
    default:
      return plan.FaultResponse(family, decision);
  }
}

HttpResponse HandleFaultsAdmin(FaultPlan& plan, const HttpRequest& request) {
  if (request.method == "GET") return JsonReply(200, plan.Json());
  if (request.method != "POST") {
    return JsonReply(405, fmt::format(R"({{"error":"method not allowed: {} /_sim/faults - use GET or POST"}})",
                                 JsonEscape(request.method)));
  }
  std::string error;
  auto config = ParseFaultConfig(request.body.empty() ? std::string_view("{}") : request.body, error);
  if (!config) return JsonReply(400, fmt::format(R"({{"error":"{}"}})", JsonEscape(error)));
  plan.Set(*config);
  return JsonReply(200, plan.Json());
}

}  // namespace crmsync::sim

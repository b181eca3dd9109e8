// crmsync-sim's limits mode: per (app, mailbox) concurrency and rate, per org
// concurrency and daily allocation, and the throttling answers.
#include <catch2/catch.hpp>

#include <functional>

#include "limits.hpp"

using namespace crmsync::sim;

namespace {

LimitsOptions NoLatency() {
  LimitsOptions options = *LimitsProfile("realistic");
  options.latency_min_ms = options.latency_max_ms = 0;
  return options;
}

HttpRequest Get(std::string path, std::string token = "Bearer app-1") {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.headers["authorization"] = std::move(token);
  return r;
}

HttpResponse Ok() { return JsonResponse(200, "{}"); }

// Serves `request` with `depth` more copies of `inner` in flight inside it,
// so that concurrency is exercised without threads; returns the innermost answer.
HttpResponse Nested(SimLimits& limits, const HttpRequest& request, int depth, const HttpRequest& inner) {
  return limits.Apply(request, [&]() -> HttpResponse {
    if (depth == 0) return Ok();
    return Nested(limits, inner, depth - 1, inner);
  });
}

}  // namespace

TEST_CASE("the realistic profile, unknown profiles are refused", "[sim][limits]") {
  auto p = LimitsProfile("realistic");
  REQUIRE(p);
  CHECK(p->mailbox_concurrency == 4);
  CHECK(p->latency_min_ms == 60);
  CHECK(p->latency_max_ms == 120);
  CHECK_FALSE(LimitsProfile("fast"));
}

TEST_CASE("a fifth concurrent request on one mailbox gets 429 ApplicationThrottled with Retry-After",
          "[sim][limits]") {
  RequestStats stats;
  SimLimits limits(NoLatency(), stats);
  const HttpRequest mail = Get("/v1.0/users/u1/mailFolders/inbox/messages/delta");
  // Four in flight: the innermost is the fourth and passes.
  CHECK(Nested(limits, mail, 3, mail).status == 200);
  // Five in flight: the innermost is refused.
  HttpResponse fifth = Nested(limits, mail, 4, mail);
  CHECK(fifth.status == 429);
  CHECK(fifth.body.find("ApplicationThrottled") != std::string::npos);
  CHECK(fifth.headers.count("Retry-After") == 1);
  CHECK(stats.Snapshot()["limits.graph"][429] == 1);
  // Slots are released: four fit again.
  CHECK(Nested(limits, mail, 3, mail).status == 200);
}

TEST_CASE("other mailboxes, other apps and the directory are not counted together", "[sim][limits]") {
  RequestStats stats;
  SimLimits limits(NoLatency(), stats);
  const HttpRequest mail = Get("/v1.0/users/u1/messages/delta");
  CHECK(Nested(limits, mail, 3, Get("/v1.0/users/u2/messages/delta")).status == 200);
  CHECK(Nested(limits, mail, 6, Get("/v1.0/users/u1/messages/delta", "Bearer app-2")).status == 429);
  CHECK(Nested(limits, Get("/v1.0/users"), 10, Get("/v1.0/users")).status == 200);
}

TEST_CASE("the per-mailbox request window answers 429 TooManyRequests once spent", "[sim][limits]") {
  RequestStats stats;
  LimitsOptions options = NoLatency();
  options.mailbox_requests = 3;
  SimLimits limits(options, stats);
  const HttpRequest mail = Get("/v1.0/users/u1/messages/delta");
  for (int i = 0; i < 3; ++i) CHECK(limits.Apply(mail, Ok).status == 200);
  HttpResponse over = limits.Apply(mail, Ok);
  CHECK(over.status == 429);
  CHECK(over.body.find("TooManyRequests") != std::string::npos);
  auto retry = over.headers.find("Retry-After");
  REQUIRE(retry != over.headers.end());
  CHECK(std::stoi(retry->second) > 0);
  CHECK(limits.Apply(Get("/v1.0/users/u2/messages/delta"), Ok).status == 200);
}

TEST_CASE("Salesforce: org concurrency and daily allocation give 403 REQUEST_LIMIT_EXCEEDED", "[sim][limits]") {
  RequestStats stats;
  LimitsOptions options = NoLatency();
  options.org_concurrency = 2;
  options.org_daily_requests = 5;
  SimLimits limits(options, stats);
  const HttpRequest query = Get("/services/data/v60.0/query", "Bearer org-1");
  CHECK(Nested(limits, query, 1, query).status == 200);
  HttpResponse busy = Nested(limits, query, 2, query);
  CHECK(busy.status == 403);
  CHECK(busy.body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos);
  CHECK(busy.body.find("ConcurrentPerOrgLongTxn") != std::string::npos);
  // 4 requests admitted so far; the fifth passes, the sixth exceeds the daily allocation.
  CHECK(limits.Apply(query, Ok).status == 200);
  HttpResponse spent = limits.Apply(query, Ok);
  CHECK(spent.status == 403);
  CHECK(spent.body.find("TotalRequests") != std::string::npos);
  CHECK(limits.Apply(Get("/services/data/v60.0/query", "Bearer org-2"), Ok).status == 200);
  CHECK(stats.Snapshot()["limits.salesforce"][403] == 2);
  CHECK(limits.Describe().body.find("\"org\":2") != std::string::npos);
}

TEST_CASE("the admin surface and token endpoints pass untouched", "[sim][limits]") {
  RequestStats stats;
  LimitsOptions options = NoLatency();
  options.org_daily_requests = 0;
  SimLimits limits(options, stats);
  CHECK(limits.Apply(Get("/_sim/stats"), Ok).status == 200);
  CHECK(limits.Apply(Get("/services/oauth2/token"), Ok).status == 200);
  CHECK(limits.Apply(Get("/services/data/v60.0/query"), Ok).status == 403);
}

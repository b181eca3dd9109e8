#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "crmsync/http/retry.hpp"
#include "graph_error.hpp"
#include "request_id.hpp"

using namespace std::chrono_literals;
using crmsync::graph::detail::DescribeGraphError;
using crmsync::graph::detail::NewRequestId;
using crmsync::http::BackoffDelay;
using crmsync::http::ParseRetryAfter;

TEST_CASE("Retry-After is parsed leniently", "[graph][retry]") {
  CHECK(ParseRetryAfter("2.128") == 2128ms);
  CHECK(ParseRetryAfter("10") == 10000ms);
  CHECK(ParseRetryAfter(" 3 ") == 3000ms);
  CHECK(ParseRetryAfter("0") == 0ms);
  CHECK(ParseRetryAfter("86400") == crmsync::http::kMaxRetryAfter);
  CHECK_FALSE(ParseRetryAfter("").has_value());
  CHECK_FALSE(ParseRetryAfter("-1").has_value());
  CHECK_FALSE(ParseRetryAfter("soon").has_value());
  CHECK_FALSE(ParseRetryAfter("nan").has_value());
  CHECK_FALSE(ParseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT").has_value());
}

TEST_CASE("backoff uses full jitter under an exponential ceiling", "[graph][retry]") {
  for (int retry = 1; retry <= 12; ++retry) {
    const std::chrono::milliseconds ceiling = std::min<std::chrono::milliseconds>(30000ms, 500ms * (1LL << (retry - 1)));
    for (int i = 0; i < 50; ++i) {
      const auto delay = BackoffDelay(retry);
      CHECK(delay >= 0ms);
      CHECK(delay <= ceiling);
    }
  }
  std::set<long long> distinct;
  for (int i = 0; i < 20; ++i) distinct.insert(BackoffDelay(8).count());
  CHECK(distinct.size() > 1);
}

TEST_CASE("client-request-id is a fresh v4 UUID", "[graph][retry]") {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::string a = NewRequestId();
  CHECK(std::regex_match(a, uuid));
  CHECK(a != NewRequestId());
}

TEST_CASE("Graph error bodies are described, non-JSON tolerated", "[graph][retry]") {
  CHECK(DescribeGraphError(429, R"({"error":{"code":"TooManyRequests","message":"Please retry again later.","innerError":{"code":"429"}}})") ==
        "Graph 429 TooManyRequests: Please retry again later.");
  CHECK(DescribeGraphError(502, "<html>Bad\x01Gateway</html>") ==
        "Graph 502 (no error code): <html>Bad?Gateway</html>");
  CHECK(DescribeGraphError(404, "") == "Graph 404 (no error code)");
}

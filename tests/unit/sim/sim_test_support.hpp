// Helpers for driving crmsync-sim's router in-process: requests, a fake
// steady clock, JSON access, and following absolute Graph links.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/core.h>
#include <simdjson.h>

#include "simulator.hpp"

namespace crmsync::sim::testing {

inline constexpr const char* kOrigin = "https://127.0.0.1:4443";

// A steady clock that moves only when told to.
struct FakeClock {
  std::shared_ptr<std::atomic<std::int64_t>> seconds = std::make_shared<std::atomic<std::int64_t>>(1000);
  SteadyClock fn() const {
    auto s = seconds;
    return [s] { return std::chrono::steady_clock::time_point(std::chrono::seconds(s->load())); };
  }
  void Advance(std::int64_t by) { *seconds += by; }
};

inline SimulatorOptions Options(int tenants, int users, int messages, const FakeClock& clock,
                                std::uint64_t seed = 42) {
  SimulatorOptions o;
  o.corpus = CorpusOptions{seed, tenants, users, messages, 0};
  o.origin = kOrigin;
  o.token_ttl = std::chrono::seconds(3599);
  o.clock = clock.fn();
  return o;
}

inline HttpRequest Request(std::string method, std::string path,
                           std::vector<std::pair<std::string, std::string>> query = {},
                           std::map<std::string, std::string> headers = {}, std::string body = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  for (auto& [k, v] : query) {
    if (!r.raw_query.empty()) r.raw_query += '&';
    r.raw_query += k + "=" + v;
    r.query.emplace(k, v);
  }
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// GET of an absolute link the simulator returned ("{origin}/path?$skiptoken=...").
inline HttpRequest FollowLink(const std::string& link, std::map<std::string, std::string> headers) {
  REQUIRE(link.rfind(kOrigin, 0) == 0);
  std::string rest = link.substr(std::string(kOrigin).size());
  std::size_t q = rest.find('?');
  std::vector<std::pair<std::string, std::string>> query;
  if (q != std::string::npos) {
    std::string qs = rest.substr(q + 1);
    REQUIRE(qs.find('&') == std::string::npos);   // tokens carry no raw '&'
    std::size_t eq = qs.find('=');
    query.emplace_back(qs.substr(0, eq), qs.substr(eq + 1));
  }
  return Request("GET", rest.substr(0, q), query, std::move(headers));
}

inline std::string ContentType(const HttpResponse& r) {
  auto it = r.headers.find("Content-Type");
  return it == r.headers.end() ? std::string() : it->second;
}

// Parses a JSON body; the parser must outlive the element.
inline simdjson::dom::element Json(simdjson::dom::parser& parser, const HttpResponse& r) {
  return parser.parse(r.body);
}

inline std::string Str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

inline std::string GraphToken(Simulator& sim, int tenant) {
  const Tenant& t = sim.corpus().tenants()[static_cast<std::size_t>(tenant)];
  HttpResponse r = sim.Handle(Request(
      "POST", "/" + t.ms_tenant_id + "/oauth2/v2.0/token", {},
      {{"content-type", "application/x-www-form-urlencoded"}},
      fmt::format("client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
                  "&grant_type=client_credentials",
                  t.ms_client_id, t.ms_client_secret)));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  return Str(Json(p, r)["access_token"]);
}

}  // namespace crmsync::sim::testing

// The simulator's fault plan: parsing, determinism from the seed, rates,
// per-record errors, concurrency limits, damage, and /_sim/faults.
#include "faults.hpp"

#include <catch2/catch.hpp>
#include <fmt/core.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "sim_test_support.hpp"

namespace crmsync::sim {
namespace {

using testing::FakeClock;
using testing::Options;
using testing::Request;

HttpRequest GraphPage(int n) {
  return Request("GET", fmt::format("/v1.0/users/u{}/mailFolders/inbox/messages/delta", n % 7),
                 {{"$skiptoken", std::to_string(n)}});
}

std::vector<int> Kinds(FaultPlan& plan, int requests) {
  std::vector<int> kinds;
  for (int i = 0; i < requests; ++i) {
    FaultDecision d = plan.Decide(FaultFamily::kGraph, GraphPage(i));
    kinds.push_back(d.kind ? static_cast<int>(*d.kind) : -1);
  }
  return kinds;
}

TEST_CASE("fault config: parses rates, families and limits, rejects what it does not know", "[sim][faults]") {
  std::string error;
  auto c = ParseFaultConfig(
      R"({"seed":9,"rate":0.01,"families":{"graph":{"throttle":0.5}},"record_errors":0.2,)"
      R"("latency_ms":[1,3],"retry_after_ms":20,"hang_ms":100,"max_in_flight_per_mailbox":4})",
      error);
  REQUIRE(c);
  CHECK(c->seed == 9);
  CHECK(c->rates[0][static_cast<int>(FaultKind::kThrottle)] == Approx(0.5));
  CHECK(c->rates[0][static_cast<int>(FaultKind::kReset)] == Approx(0.01 / 9));
  // The mix never revokes a refresh token (the engine would suspend the connection).
  CHECK(c->rates[static_cast<int>(FaultFamily::kSalesforceToken)][static_cast<int>(FaultKind::kRevokedRefreshToken)] == 0);
  CHECK(c->record_error_rate == Approx(0.2));
  CHECK(c->latency_max.count() == 3);
  CHECK(c->hang.count() == 100);
  CHECK(c->max_in_flight_per_mailbox == 4);

  CHECK_FALSE(ParseFaultConfig(R"({"rate":1.5})", error));
  CHECK(error.find("rate") != std::string::npos);
  CHECK_FALSE(ParseFaultConfig(R"({"families":{"exchange":{"throttle":0.1}}})", error));
  CHECK(error.find("exchange") != std::string::npos);
  CHECK_FALSE(ParseFaultConfig(R"({"families":{"graph":{"flood":0.1}}})", error));
  CHECK(error.find("flood") != std::string::npos);
  CHECK_FALSE(ParseFaultConfig(R"({"latency_ms":[9,3]})", error));
  CHECK_FALSE(ParseFaultConfig(R"({"ratte":0.1})", error));
  CHECK(error.find("ratte") != std::string::npos);
  CHECK_FALSE(ParseFaultConfig(R"({"rate":0.1)", error));   // truncated
  CHECK_FALSE(ParseFaultConfig("{\"x\":\"\xff\"}", error));   // invalid UTF-8
  CHECK(ParseFaultConfig("{}", error));
}

TEST_CASE("fault plan: decisions follow the seed and the rate, not the call order", "[sim][faults]") {
  FaultPlan a, b, c;
  a.Set(MixedFaults(0.45, 7));
  b.Set(MixedFaults(0.45, 7));
  c.Set(MixedFaults(0.45, 8));
  const auto ka = Kinds(a, 4000);
  CHECK(ka == Kinds(b, 4000));
  CHECK(ka != Kinds(c, 4000));

  // 45 % split between the 9 kinds that apply to Graph: about 5 % each.
  std::vector<int> per_kind(kFaultKindCount, 0);
  int faults = 0;
  for (int k : ka) {
    if (k < 0) continue;
    ++faults;
    ++per_kind[static_cast<std::size_t>(k)];
  }
  CHECK(per_kind[static_cast<int>(FaultKind::kRevokedRefreshToken)] == 0);   // not on Graph, not in the mix
  CHECK(per_kind[static_cast<int>(FaultKind::kThrottle)] > 120);
  CHECK(per_kind[static_cast<int>(FaultKind::kThrottle)] < 290);
  CHECK(faults > 1400);   // 9 applicable kinds at 5 %: about 45 %
  CHECK(faults < 2200);

  // A retry of the same request draws again: a throttled page is not throttled forever.
  FaultPlan always;
  FaultConfig config;
  config.rates[0][static_cast<int>(FaultKind::kThrottle)] = 0.5;
  always.Set(config);
  int answered = 0;
  for (int i = 0; i < 40; ++i) answered += always.Decide(FaultFamily::kGraph, GraphPage(1)).kind ? 0 : 1;
  CHECK(answered > 5);
  CHECK(answered < 35);
}

TEST_CASE("fault plan: a key's per-record error is the same every time and is remembered", "[sim][faults]") {
  FaultPlan plan;
  FaultConfig config;
  config.seed = 3;
  config.record_error_rate = 0.1;
  plan.Set(config);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = fmt::format("Key-{}", i);
    auto first = plan.RecordError("t1", key);
    auto again = plan.RecordError("t1", key);
    REQUIRE(first.has_value() == again.has_value());
    if (!first) {
      CHECK_FALSE(plan.WasRejected("t1", key));
      continue;
    }
    ++rejected;
    CHECK(first->first == again->first);
    CHECK((first->first == "FIELD_CUSTOM_VALIDATION_EXCEPTION" || first->first == "INSUFFICIENT_ACCESS_OR_READONLY" ||
           first->first == "INVALID_CROSS_REFERENCE_KEY"));
    CHECK(plan.WasRejected("t1", key));
    CHECK(plan.WasRejected("t1", fmt::format("key-{}", i)));
    CHECK_FALSE(plan.WasRejected("t2", key));
  }
  CHECK(rejected > 140);
  CHECK(rejected < 260);
  // Clearing the plan stops new rejections but keeps the record of old ones.
  plan.Set(FaultConfig{});
  CHECK_FALSE(plan.RecordError("t1", "Key-1"));
  CHECK(plan.Rejected()["t1"].size() == static_cast<std::size_t>(rejected));
}

TEST_CASE("fault plan: per-mailbox concurrency limit", "[sim][faults]") {
  FaultPlan plan;
  FaultConfig config;
  config.max_in_flight_per_mailbox = 2;
  plan.Set(config);
  FaultPlan::Slot s1, s2, s3, other;
  CHECK(plan.Enter(FaultFamily::kGraph, GraphPage(0), s1));
  CHECK(plan.Enter(FaultFamily::kGraph, GraphPage(7), s2));    // same mailbox u0
  CHECK_FALSE(plan.Enter(FaultFamily::kGraph, GraphPage(14), s3));
  CHECK(plan.Enter(FaultFamily::kGraph, GraphPage(1), other));  // u1 has its own limit
  plan.Leave(s1);
  CHECK(plan.Enter(FaultFamily::kGraph, GraphPage(14), s3));
  HttpResponse r = plan.ConcurrencyResponse(FaultFamily::kGraph);
  CHECK(r.status == 429);
  CHECK(r.body.find("MailboxConcurrency") != std::string::npos);
  CHECK(plan.ConcurrencyResponse(FaultFamily::kSalesforceQuery).body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos);
}

TEST_CASE("fault plan: damaged bodies no longer parse, resets cut the connection", "[sim][faults]") {
  const std::string page = R"({"value":[{"id":"a","subject":"hello"}],"@odata.deltaLink":"x"})";
  simdjson::dom::parser parser;
  HttpResponse cut;
  cut.body = page;
  FaultPlan::Damage(FaultKind::kMalformedJson, cut);
  CHECK(cut.body.size() < page.size());
  CHECK(parser.parse(cut.body).error() != simdjson::SUCCESS);

  HttpResponse bad;
  bad.body = page;
  FaultPlan::Damage(FaultKind::kInvalidUtf8, bad);
  CHECK(bad.body.find('\xff') != std::string::npos);
  CHECK(parser.parse(bad.body).error() == simdjson::UTF8_ERROR);

  HttpResponse reset;
  reset.body = page;
  FaultPlan::Damage(FaultKind::kReset, reset);
  REQUIRE(reset.cut_after);
  CHECK(*reset.cut_after == page.size() / 2);
}

TEST_CASE("/_sim/faults: set, read back, inject and clear through the simulator", "[sim][faults]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 3, clock));
  HttpResponse bad = sim.Handle(Request("POST", "/_sim/faults", {}, {}, R"({"families":{"graf":{}}})"));
  CHECK(bad.status == 400);
  CHECK(bad.body.find("graf") != std::string::npos);
  CHECK(sim.Handle(Request("DELETE", "/_sim/faults")).status == 405);

  HttpResponse set = sim.Handle(Request("POST", "/_sim/faults", {}, {},
                                        R"({"families":{"graph":{"throttle":1}},"retry_after_ms":250})"));
  REQUIRE(set.status == 200);
  HttpResponse throttled = sim.Handle(GraphPage(1));
  CHECK(throttled.status == 429);
  auto ra = throttled.headers.find("Retry-After");
  REQUIRE(ra != throttled.headers.end());
  CHECK(ra->second == "0.250");
  // Other families are untouched: the Salesforce versions list still answers.
  CHECK(sim.Handle(Request("GET", "/services/data")).status == 200);

  simdjson::dom::parser parser;
  HttpResponse got = sim.Handle(Request("GET", "/_sim/faults"));
  REQUIRE(got.status == 200);
  simdjson::dom::element doc = parser.parse(got.body);
  CHECK(int64_t(doc["injected"]["graph"]["throttle"]) == 1);
  CHECK(double(doc["config"]["families"]["graph"]["throttle"]) == Approx(1.0));

  REQUIRE(sim.Handle(Request("POST", "/_sim/faults", {}, {}, "{}")).status == 200);
  CHECK(sim.Handle(GraphPage(1)).status != 429);
}

}  // namespace
}  // namespace crmsync::sim

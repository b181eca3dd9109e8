// crmsync-bench's floors, the theoretical minimum makespan, and the parsers of
// the engine's report and the simulator's counters.
#include <catch2/catch.hpp>

#include "floors.hpp"
#include "measure.hpp"

using namespace crmsync::bench;

namespace {

TenantFigures Tenant(std::string provider, std::int64_t users, std::int64_t read, std::int64_t captured,
                     std::int64_t distinct) {
  return TenantFigures{.id = std::string("tenant"),
                       .provider = std::move(provider),
                       .users = users,
                       .streams = users,
                       .read = read,
                       .captured = captured,
                       .distinct_addresses = distinct};
}

// Every request 100 ms away.
LimitsProfile FixedLatency() {
  LimitsProfile limits;
  limits.present = true;
  limits.latency_min_ms = 100;
  limits.latency_max_ms = 100;
  return limits;
}

// A full sync of 2 s over 100 users' streams of 3 pages each (and the user listing's page).
Phase ThreePageStreams() {
  Phase full;
  full.wall = 2.0;
  TenantFigures t = Tenant("graph", 100, 10000, 1000, 0);
  t.stream_pages = 300;
  t.mailbox_pages = 301;
  full.tenants = {t};
  return full;
}

}  // namespace

TEST_CASE("write floor is the sum over tenants of ceil(captured / 200)", "[bench]") {
  Options options;
  Phase phase;
  phase.tenants = {Tenant("graph", 10, 1000, 401, 0), Tenant("graph", 10, 1000, 200, 0)};
  phase.tenants[0].salesforce_upserts = 5;
  phase.tenants[1].salesforce_upserts = 1;
  ComputeFloors(options, phase);
  CHECK(phase.floor.salesforce_writes == 3 + 1);
  CHECK(phase.calls.salesforce_writes == 6);
}

TEST_CASE("page floor: one page per stream at least, page_size messages per page at most", "[bench]") {
  Options options;
  options.page_size = 100;
  Phase phase;
  phase.tenants = {Tenant("graph", 10, 5000, 0, 0), Tenant("graph", 10, 50, 0, 0)};
  ComputeFloors(options, phase);
  CHECK(phase.floor.mailbox_pages == 50 + 10);
}

TEST_CASE("an idle phase has a floor of zero Salesforce calls and only the mail grants", "[bench]") {
  Options options;
  Phase phase;
  phase.tenants = {Tenant("graph", 10, 0, 0, 0), Tenant("gmail", 7, 0, 0, 0)};
  ComputeFloors(options, phase);
  CHECK(phase.floor.salesforce_calls() == 0);
  CHECK(phase.floor.token_grants == 1 + 7);   // one app token; one delegated token per Gmail user
}

TEST_CASE("SOQL floor: owners once on a cold state, then a Contact and a Lead query per 500 addresses", "[bench]") {
  Options options;
  Phase phase;
  phase.tenants = {Tenant("graph", 10, 1000, 10, 501)};
  ComputeFloors(options, phase);
  CHECK(phase.floor.soql_queries == 1 + 2 * 2);
  // A later run: the owners are stored and every address may be cached already.
  ComputeFloors(options, phase, /*cold_cache=*/false);
  CHECK(phase.floor.soql_queries == 0);
}

TEST_CASE("minimum makespan: the longest chain at the minimum latency, or a busier limit", "[bench]") {
  LimitsProfile limits;
  limits.present = true;
  limits.latency_min_ms = 100;
  limits.mailbox_requests = 10000;
  limits.mailbox_window_s = 600;
  limits.org_concurrency = 25;
  Phase full;
  full.wall = 2.0;
  TenantFigures t = Tenant("graph", 100, 10000, 1000, 0);
  t.stream_pages = 300;   // 3 pages per stream
  t.mailbox_pages = 301;  // and the user listing's page
  full.tenants = {t};
  Makespan m = MinimumMakespan(limits, full);
  // grant + one user page + 3 pages + the last write = 6 round trips: the
  // listing's page is not a fourth page of some stream
  CHECK(m.minimum_seconds == Approx(0.6));
  CHECK(m.ratio == Approx(2.0 / 0.6));
  CHECK(m.binding.find("latency chain") != std::string::npos);

  limits.org_concurrency = 1;   // 5 writes + 1 owner query, one at a time
  m = MinimumMakespan(limits, full);
  CHECK(m.minimum_seconds == Approx(0.6));
  full.tenants[0].captured = 4000;   // 20 writes + 1 query
  m = MinimumMakespan(limits, full);
  CHECK(m.minimum_seconds == Approx(2.1));
  CHECK(m.binding.find("salesforce") != std::string::npos);

  limits.org_concurrency = 25;
  full.tenants[0].captured = 1000;
  full.tenants[0].distinct_addresses = 10;   // the lookup of the last page comes before its write
  CHECK(MinimumMakespan(limits, full).minimum_seconds == Approx(0.7));
}

TEST_CASE("an ideal engine's expected makespan: the minimum's chain with latencies drawn from the range",
          "[bench]") {
  LimitsProfile limits = FixedLatency();
  Phase full = ThreePageStreams();
  // One latency: the ideal engine takes exactly the minimum (grant, user page, 3 pages, write).
  CHECK(IdealExpectedMakespan(limits, full) == Approx(0.6));

  limits.latency_max_ms = 200;
  const double ideal = IdealExpectedMakespan(limits, full);
  CHECK(ideal == IdealExpectedMakespan(limits, full));   // seeded: the same figure every time
  // Three sequential steps average 0.15 s each; the slowest of 100 streams of three pages
  // lies between their mean (0.45 s) and all three at the highest latency (0.6 s).
  CHECK(ideal > 0.45 + 0.45);
  CHECK(ideal < 0.45 + 0.6);
  const Makespan m = MinimumMakespan(limits, full);
  CHECK(m.ideal_expected_seconds == Approx(ideal));
  CHECK(m.ideal_ratio == Approx(2.0 / ideal));

  // More streams of the same length: the slowest of them is slower on average.
  full.tenants[0].streams = 10;
  full.tenants[0].stream_pages = 30;
  const double few = IdealExpectedMakespan(limits, full);
  full.tenants[0].streams = 1000;
  full.tenants[0].stream_pages = 3000;
  CHECK(IdealExpectedMakespan(limits, full) > few);

  // Uneven pages: the streams with one page more decide.
  full.tenants[0].streams = 4;
  full.tenants[0].stream_pages = 4 + 4;   // 4 streams of 2 pages each
  const double even = IdealExpectedMakespan(limits, full);
  full.tenants[0].stream_pages = 4 + 4 + 3;   // three of them get a third page
  CHECK(IdealExpectedMakespan(limits, full) > even + 0.1);
}

TEST_CASE("no limits profile, no minimum", "[bench]") {
  Phase full;
  full.tenants = {Tenant("graph", 1, 1, 1, 1)};
  CHECK(MinimumMakespan(LimitsProfile{}, full).minimum_seconds == 0);
  CHECK(IdealExpectedMakespan(LimitsProfile{}, full) == 0);
}

TEST_CASE("the run report's tenants are read with their API calls", "[bench]") {
  const std::string report =
      R"({"tenants":[{"id":"a","users":3,"streams":3,"pages":3,"messages_read":30,"captured":12,)"
      R"("api_calls":{"mail_token_grants":1,"salesforce_token_grants":1,"mailbox_pages":4,"soql_queries":2,)"
      R"("distinct_addresses":9,"salesforce_upserts":1}}]})";
  auto tenants = ParseReportTenants(report);
  REQUIRE(tenants.size() == 1);
  CHECK(tenants[0].id == "a");
  CHECK(tenants[0].read == 30);
  CHECK(tenants[0].mailbox_pages == 4);
  CHECK(tenants[0].stream_pages == 3);
  CHECK(tenants[0].distinct_addresses == 9);
  CHECK(ParseReportTenants("{not json").empty());
  CHECK(ParseReportTenants(std::string("{\"tenants\":[{\"id\":\"\xff\"}]}")).size() <= 1);
}

TEST_CASE("simulator stats: 429s and Salesforce limit rejections are throttled responses", "[bench]") {
  const std::string stats =
      R"({"endpoints":{"graph.delta":{"200":90,"429":3},"limits.graph":{"429":2},"limits.salesforce":{"403":4},)"
      R"("sf.upsert":{"200":10,"403":1}}})";
  SimCounters c = ParseSimStats(stats);
  CHECK(c.requests == 110);
  CHECK(c.throttled == 9);
  CHECK(ParseSimStats("").requests == 0);
  CHECK(ParseSimStats(R"({"endpoints":[1,2]})").requests == 0);
}

TEST_CASE("the limits profile is read from /_sim/limits", "[bench]") {
  LimitsProfile p = ParseLimits(
      R"({"profile":"realistic","latency_min_ms":60,"latency_max_ms":120,"mailbox_concurrency":4,)"
      R"("mailbox_requests":10000,"mailbox_window_seconds":600,"org_concurrency":25,"org_daily_requests":5})");
  CHECK(p.present);
  CHECK(p.latency_min_ms == 60);
  CHECK(p.mailbox_concurrency == 4);
  CHECK(p.org_daily_requests == 5);
  CHECK_FALSE(ParseLimits(R"({"error":"not found"})").present);
}

TEST_CASE("an ideal engine with a cap on requests in flight: its streams wait for a free slot", "[bench]") {
  LimitsProfile limits = FixedLatency();
  const Phase full = ThreePageStreams();
  // No cap, or one the streams never reach: the uncapped figure (grant, user page, 3 pages, write).
  CHECK(IdealCappedMakespan(limits, full, 0) == Approx(0.6));
  CHECK(IdealCappedMakespan(limits, full, 100) == Approx(0.6));
  CHECK(IdealCappedMakespan(limits, full, 5000) == Approx(0.6));
  // Ten at a time: ten rounds of 0.3 s streams after the 0.3 s of grant, user page and write.
  CHECK(IdealCappedMakespan(limits, full, 10) == Approx(0.3 + 10 * 0.3));
  // One at a time: every page in a row.
  CHECK(IdealCappedMakespan(limits, full, 1) == Approx(0.3 + 300 * 0.1));
  // 30 slots for 100 streams: four rounds (30, 30, 30, 10).
  CHECK(IdealCappedMakespan(limits, full, 30) == Approx(0.3 + 4 * 0.3));
  // MinimumMakespan reports it beside the minimum when given the run's cap.
  const Makespan m = MinimumMakespan(limits, full, 10);
  CHECK(m.capped_in_flight == 10);
  CHECK(m.ideal_capped_seconds == Approx(0.3 + 10 * 0.3));
  CHECK(m.ideal_capped_ratio == Approx(2.0 / 3.3));
  CHECK(MinimumMakespan(limits, full).ideal_capped_seconds == 0);

  // Drawn latencies: the same draws as the uncapped engine, and a tighter cap is never faster.
  limits.latency_max_ms = 200;
  CHECK(IdealCappedMakespan(limits, full, 100) == IdealExpectedMakespan(limits, full));
  const double wide = IdealCappedMakespan(limits, full, 50);
  const double narrow = IdealCappedMakespan(limits, full, 10);
  CHECK(wide > IdealExpectedMakespan(limits, full));
  CHECK(narrow > wide);
  // Ten slots busy for 300 pages of 0.15 s on average.
  CHECK(narrow > 0.3 + 300 * 0.15 / 10);
}

#include <catch2/catch.hpp>

#include "crmsync/engine/run_report.hpp"

using namespace crmsync::engine;

TEST_CASE("exit codes follow the tenants' outcomes", "[report]") {
  RunReport report;
  report.tenants.resize(2);
  Finalize(report);
  CHECK(report.exit_code == kExitComplete);
  CHECK(report.status == "complete");

  report.tenants[1].error_count = 1;
  Finalize(report);
  CHECK(report.exit_code == kExitPartial);
  CHECK(report.tenants[1].status == "partial");

  report.tenants[0].status = "failed";
  report.tenants[1].status = "failed";
  Finalize(report);
  CHECK(report.exit_code == kExitFailure);
}

TEST_CASE("the JSON report carries totals and escapes error text", "[report]") {
  RunReport report;
  report.run_id = "r1";
  TenantReport t;
  t.id = "acme";
  t.captured = 5;
  t.quarantined = 1;
  t.skipped[static_cast<int>(SkipReason::kInternalOnly)] = 3;
  t.errors.push_back("user \"x\"\nfailed");
  t.error_count = 1;
  report.tenants.push_back(t);
  Finalize(report);
  const std::string json = report.ToJson();
  CHECK_THAT(json, Catch::Contains("\"totals\":{\"messages_read\":0,\"captured\":5,\"quarantined\":1,\"skipped\":3,\"errors\":1}"));
  CHECK_THAT(json, Catch::Contains("\"internal_only\":3"));
  CHECK_THAT(json, Catch::Contains("user \\\"x\\\"\\nfailed"));
  CHECK_THAT(report.ToText(), Catch::Contains("internal_only=3"));
}

TEST_CASE("each tenant's api_calls show SOQL queries next to distinct addresses", "[report]") {
  RunReport report;
  TenantReport t;
  t.id = "acme";
  t.api.soql_queries = 16;
  t.api.distinct_addresses = 384;
  report.tenants.push_back(t);
  Finalize(report);
  CHECK_THAT(report.ToJson(), Catch::Contains("\"soql_queries\":16,\"distinct_addresses\":384,"));
  CHECK_THAT(report.ToText(), Catch::Contains("soql 16 (for 384 distinct addresses)"));
}

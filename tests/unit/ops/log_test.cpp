// Structured logs: JSON lines with the fields, levels filtered, secrets redacted.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <sstream>

#include "crmsync/engine/log.hpp"

using namespace crmsync::engine;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("log: JSON lines carry ts, level, msg, tenant, user, stream", "[log]") {
  std::ostringstream out;
  Logger log(LogFormat::kJson, LogLevel::kInfo, out, {});
  log.Log(LogLevel::kWarn, "page \"x\"\nfailed", {"acme", "u1@acme.example", "mail/inbox"});
  log.Log(LogLevel::kInfo, "no fields");
  log.Log(LogLevel::kDebug, "filtered out");
  const auto lines = Lines(out.str());
  REQUIRE(lines.size() == 2);
  simdjson::dom::parser parser;
  simdjson::dom::element first;
  REQUIRE(parser.parse(simdjson::padded_string(lines[0])).get(first) == simdjson::SUCCESS);
  CHECK(std::string_view(first["level"].get_string().value()) == "warn");
  CHECK(std::string_view(first["msg"].get_string().value()) == "page \"x\"\nfailed");
  CHECK(std::string_view(first["tenant"].get_string().value()) == "acme");
  CHECK(std::string_view(first["user"].get_string().value()) == "u1@acme.example");
  CHECK(std::string_view(first["stream"].get_string().value()) == "mail/inbox");
  CHECK(std::string_view(first["ts"].get_string().value()).size() == 24);
  simdjson::dom::element second;
  REQUIRE(parser.parse(simdjson::padded_string(lines[1])).get(second) == simdjson::SUCCESS);
  CHECK(second["tenant"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("log: every configured secret is redacted, in any format", "[log]") {
  Config config;
  config.tenants.resize(1);
  config.tenants[0].microsoft.client_secret = "planted-client-secret-1";
  config.tenants[0].salesforce.refresh_token = "planted-refresh-token-2";
  config.tenants[0].provisioning.hmac_secrets = {"planted-hmac-secret-3-0123456789abcdef"};
  for (LogFormat format : {LogFormat::kJson, LogFormat::kPlain}) {
    std::ostringstream out;
    Logger log(format, LogLevel::kDebug, out, SecretsOf(config));
    log.Log(LogLevel::kError, "grant with planted-client-secret-1 and planted-refresh-token-2 failed",
            {"planted-hmac-secret-3-0123456789abcdef", "", ""});
    CHECK(out.str().find("planted-") == std::string::npos);
    CHECK(out.str().find("[redacted]") != std::string::npos);
  }
}

TEST_CASE("log: levels and formats parse, unknown values are refused", "[log]") {
  CHECK(ParseLogLevel("debug").value() == LogLevel::kDebug);
  CHECK(ParseLogFormat("json").value() == LogFormat::kJson);
  CHECK_FALSE(ParseLogLevel("verbose").ok());
  CHECK_FALSE(ParseLogFormat("xml").ok());
  CHECK(ParseLogFormat("xml").status().message() == "--log-format \"xml\" is not one of plain, json");
}

TEST_CASE("log: the run report becomes one event per tenant and error", "[log]") {
  RunReport report;
  report.run_id = "r1";
  TenantReport t;
  t.id = "acme";
  t.messages_read = 3;
  t.error_count = 1;
  t.errors = {"tenant acme: user u1 folder inbox: HTTP 500"};
  report.tenants = {t};
  Finalize(report);
  std::ostringstream out;
  Logger log(LogFormat::kJson, LogLevel::kInfo, out, {});
  LogRunReport(log, report);
  const auto lines = Lines(out.str());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("\"level\":\"warn\",\"msg\":\"tenant partial: 0 users, 3 read") != std::string::npos);
  CHECK(lines[1].find("HTTP 500") != std::string::npos);
  CHECK(lines[1].find("\"tenant\":\"acme\"") != std::string::npos);
  CHECK(lines[2].find("run r1 partial") != std::string::npos);
}

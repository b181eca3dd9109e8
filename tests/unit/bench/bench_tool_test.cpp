// crmsync-bench at a tiny scale, in both modes: it runs, its JSON holds the
// figures the benchmark promises, and its verification is clean.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "harness.hpp"

using namespace crmsync::harness;

namespace {

struct BenchRun {
  ProcessResult process;
  std::string json;
};

BenchRun RunBench(std::vector<std::string> args) {
  TempDir dir;
  const std::string json_path = dir.path() + "/bench.json";
  std::vector<std::string> argv = {BenchBinary(), "--json", json_path};
  argv.insert(argv.end(), args.begin(), args.end());
  BenchRun run;
  run.process = RunProcess(argv, std::chrono::seconds(240));
  run.json = ReadFile(json_path);
  return run;
}

void CheckPhase(const std::string& json, const std::string& phase) {
  for (const char* field : {"messages_read", "captured", "engine_peak_rss_kb", "sim_requests", "throttled_429"}) {
    INFO(phase << "." << field);
    CHECK(JsonInt(json, "runs.0." + phase + "." + field) >= 0);
  }
  for (const char* kind : {"mailbox_pages", "token_grants", "soql_queries", "salesforce_writes"}) {
    INFO(phase << ".api_calls." << kind);
    CHECK(JsonInt(json, "runs.0." + phase + ".api_calls." + kind + ".calls") >= 0);
    CHECK(JsonInt(json, "runs.0." + phase + ".api_calls." + kind + ".floor") >= 0);
  }
}

double Number(const std::string& json, std::initializer_list<const char*> path) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json).get(e)) return -1;
  for (const char* key : path) {
    simdjson::dom::element next;
    simdjson::dom::array array;
    if (!e.get(array)) {
      if (array.at(0).get(next)) return -1;
    } else if (e[key].get(next)) {
      return -1;
    }
    e = next;
  }
  double value = -1;
  return e.get(value) ? -1 : value;
}

}  // namespace

TEST_CASE("crmsync-bench --mode cpu at a tiny scale: clean verification, every figure", "[bench][integration]") {
  BenchRun run = RunBench({"--mode", "cpu", "--mix", "graph=1,gmail=1", "--users", "4", "--messages", "3"});
  INFO(run.process.output);
  REQUIRE(run.process.exit_code == 0);
  CHECK(run.process.output.find("verify: ok") != std::string::npos);
  const std::string& j = run.json;
  CHECK(JsonInt(j, "tenants") == 2);
  CHECK(JsonInt(j, "runs.0.verify.missing") == 0);
  CHECK(JsonInt(j, "runs.0.verify.duplicates") == 0);
  CHECK(JsonInt(j, "runs.0.verify.unexpected") == 0);
  CHECK(JsonInt(j, "runs.0.verify.expected") > 0);
  for (const char* phase : {"full", "incremental", "idle"}) CheckPhase(j, phase);
  const std::int64_t read = JsonInt(j, "runs.0.full.messages_read");
  const std::int64_t captured = JsonInt(j, "runs.0.full.captured");
  CHECK(read > 0);
  CHECK(captured > 0);
  CHECK(Number(j, {"runs", "0", "full", "read_per_second"}) > 0);
  CHECK(Number(j, {"runs", "0", "full", "engine_cpu_seconds_per_1k_messages"}) > 0);
  // Every captured record was written, in no fewer writes than the 200-record floor allows.
  const std::int64_t writes = JsonInt(j, "runs.0.full.api_calls.salesforce_writes.calls");
  CHECK(writes >= JsonInt(j, "runs.0.full.api_calls.salesforce_writes.floor"));
  CHECK(JsonInt(j, "runs.0.full.api_calls.salesforce_writes.floor") == 2);   // one per tenant at this scale
  // Nothing new: the idle run reads nothing and captures nothing.
  CHECK(JsonInt(j, "runs.0.idle.messages_read") == 0);
  CHECK(JsonInt(j, "runs.0.idle.captured") == 0);
  CHECK(JsonInt(j, "runs.0.idle.api_calls.salesforce_writes.calls") == 0);
  // and costs the org nothing: the owners are reused from the state, no grant, no query.
  CHECK(JsonInt(j, "runs.0.idle.salesforce_calls") == 0);
}

TEST_CASE("crmsync-bench --mode limits at a tiny scale: latency, minimum makespan, clean verification",
          "[bench][integration]") {
  BenchRun run = RunBench({"--mode", "limits", "--tenants", "1", "--users", "3", "--messages", "2",
                           "--connections-per-host", "128", "--writes-in-flight", "8"});
  INFO(run.process.output);
  REQUIRE(run.process.exit_code == 0);
  const std::string& j = run.json;
  CHECK(JsonInt(j, "connections_per_host") == 128);
  CHECK(JsonInt(j, "writes_in_flight") == 8);
  CHECK(JsonInt(j, "runs.0.full.connections_opened") >= 1);
  CHECK(JsonInt(j, "runs.0.verify.missing") == 0);
  CHECK(JsonInt(j, "runs.0.verify.duplicates") == 0);
  CHECK(JsonInt(j, "runs.0.verify.unexpected") == 0);
  CHECK(JsonInt(j, "runs.0.limits.mailbox_concurrency") == 4);
  const double minimum = Number(j, {"runs", "0", "makespan", "minimum_seconds"});
  const double measured = Number(j, {"runs", "0", "makespan", "measured_seconds"});
  // At least a grant, a user page, a mailbox page and a write, each 60 ms or more.
  CHECK(minimum >= 0.24);
  // The simulator did delay every call: the sync cannot beat the minimum.
  CHECK(measured >= minimum);
  CHECK(Number(j, {"runs", "0", "makespan", "ratio"}) >= 1.0);
  // Latencies drawn from 60-120 ms average more than the lowest on every step.
  const double ideal = Number(j, {"runs", "0", "makespan", "ideal_expected_seconds"});
  CHECK(ideal > minimum);
  CHECK(ideal < 2 * minimum);
  CHECK(Number(j, {"runs", "0", "makespan", "ideal_ratio"}) == Approx(measured / ideal).epsilon(0.01));
  // The run's own cap on requests in flight: its stream window, here under the 128 connections.
  const std::int64_t capped = JsonInt(j, "runs.0.makespan.capped_in_flight");
  CHECK(capped == JsonInt(j, "runs.0.full.streams_in_flight_peak"));
  CHECK(capped > 0);
  CHECK(capped <= 128);
  const double ideal_capped = Number(j, {"runs", "0", "makespan", "ideal_capped_seconds"});
  CHECK(ideal_capped >= ideal);
  CHECK(Number(j, {"runs", "0", "makespan", "ideal_capped_ratio"}) == Approx(measured / ideal_capped).epsilon(0.01));
  for (const char* phase : {"full", "incremental", "idle"}) CheckPhase(j, phase);
}

TEST_CASE("crmsync-bench --mode limits: the stream window grows past the 64 a run starts with while it waits",
          "[bench][integration]") {
  // 50 users, two folders each: 100 streams, every request 60-120 ms away.
  BenchRun run = RunBench({"--mode", "limits", "--tenants", "1", "--users", "50", "--messages", "1",
                           "--transport", "http"});
  INFO(run.process.output);
  REQUIRE(run.process.exit_code == 0);
  const std::int64_t peak = JsonInt(run.json, "runs.0.full.streams_in_flight_peak");
  CHECK(peak > 64);
  CHECK(peak <= 100);
  CHECK(JsonInt(run.json, "runs.0.verify.missing") == 0);
}

TEST_CASE("crmsync-bench --mode limits over a mailbox limit: 429s are counted, retried, and verification stays clean",
          "[bench][integration]") {
  // One request per mailbox at a time while the engine reads two folders of each mailbox at once.
  BenchRun run = RunBench({"--mode", "limits", "--tenants", "1", "--users", "2", "--messages", "2",
                           "--mailbox-concurrency", "1"});
  INFO(run.process.output);
  REQUIRE(run.process.exit_code == 0);
  const std::string& j = run.json;
  CHECK(JsonInt(j, "runs.0.limits.mailbox_concurrency") == 1);
  const std::int64_t throttled = JsonInt(j, "runs.0.full.throttled_429") + JsonInt(j, "runs.0.incremental.throttled_429") +
                                 JsonInt(j, "runs.0.idle.throttled_429");
  CHECK(throttled > 0);
  CHECK(JsonInt(j, "runs.0.verify.missing") == 0);
  CHECK(JsonInt(j, "runs.0.verify.duplicates") == 0);
  CHECK(JsonInt(j, "runs.0.verify.unexpected") == 0);
}

TEST_CASE("crmsync-bench --transport h2: HTTPS over HTTP/2 multiplexes the streams over a few connections",
          "[bench][integration]") {
  // 40 users, two folders each: 80 streams at once, each request 60-120 ms away.
  BenchRun run = RunBench({"--mode", "limits", "--tenants", "1", "--users", "40", "--messages", "1",
                           "--transport", "h2", "--streams-in-flight", "100"});
  INFO(run.process.output);
  REQUIRE(run.process.exit_code == 0);
  const std::string& j = run.json;
  CHECK(run.process.output.find("h2 ") != std::string::npos);
  CHECK(JsonInt(j, "runs.0.verify.missing") == 0);
  CHECK(JsonInt(j, "runs.0.verify.duplicates") == 0);
  const std::int64_t peak = JsonInt(j, "runs.0.full.streams_in_flight_peak");
  const std::int64_t connections = JsonInt(j, "runs.0.full.connections_opened");
  // Over HTTP/1.1 each request in flight holds a connection; here many share each one.
  CHECK(peak > 64);
  CHECK(connections >= 1);
  CHECK(connections * 4 < peak);
  // The capped ideal is capped by the stream window alone.
  CHECK(JsonInt(j, "runs.0.makespan.capped_in_flight") == peak);
}

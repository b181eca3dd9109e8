// Crash safety, proven (short version of tools/crashtest): named crash points
// and random SIGKILLs, the cursor invariant after every restart, and a checker
// that is shown to catch a cursor committed ahead of its ledger.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include "crash_driver.hpp"
#include "crmsync/state/store.hpp"
#include "cursor_invariant.hpp"
#include "harness.hpp"

using namespace crmsync;
using namespace crmsync::harness;

namespace {

std::vector<std::string> KeysBefore(const SimProcess& sim, const state::StreamId& id, const state::Cursor& cursor) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string body = sim.Post("/_sim/cursor_keys", crashtest::CursorKeysRequest(id, cursor, {}));
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  std::vector<std::string> keys;
  for (auto key : doc["keys"].get_array()) keys.emplace_back(std::string_view(key.get_string()));
  return keys;
}

}  // namespace

TEST_CASE("the cursor invariant checker catches a cursor committed ahead of its ledger", "[crash]") {
  // Graph delta links name their mailbox; Gmail history cursors go with the stream's user.
  const std::string providers = GENERATE(as<std::string>{}, "graph", "gmail");
  INFO(providers);
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "3", "--tenants", "1", "--users", "6", "--messages", "20", "--providers", providers});
  const std::string good_state = dir.path() + "/state";
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", good_state, "--quiet"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto tenants = crashtest::TenantIds(sim.config_path());
  REQUIRE(tenants.ok());
  REQUIRE(*tenants == std::vector<std::string>{"tenant-1"});

  auto good = crashtest::CheckCursorInvariant(sim, good_state, *tenants);
  REQUIRE(good.ok());
  CHECK(good->cursors > 0);
  CHECK(good->checked == good->cursors);
  CHECK(good->keys_checked > 10);
  CHECK(good->violations.empty());

  // Plant the bug the invariant guards against: the same cursors, and the
  // ledger of every passed message but one.
  std::vector<std::pair<state::StreamId, state::Cursor>> cursors;
  {
    auto store = state::Store::Open(good_state);
    REQUIRE(store.ok());
    auto listed = (*store)->ListCursors("tenant-1");
    REQUIRE(listed.ok());
    for (const auto& entry : *listed) {
      if (!entry.first.user.starts_with('_')) cursors.push_back(entry);   // mail streams, not the engine's counters
    }
  }
  state::CheckpointBatch planted;
  planted.cursors = cursors;
  std::string dropped;
  for (const auto& [id, cursor] : cursors) {
    for (const std::string& key : KeysBefore(sim, id, cursor)) {
      if (dropped.empty()) {
        dropped = key;
        continue;
      }
      if (key == dropped) continue;
      planted.ledger.emplace_back("tenant-1", key, state::LedgerEntry{"00T000000000001AAA", "Task", "u", 1});
    }
  }
  REQUIRE_FALSE(dropped.empty());
  const std::string bad_state = dir.path() + "/planted";
  {
    auto store = state::Store::Open(bad_state);
    REQUIRE(store.ok());
    REQUIRE((*store)->Commit(planted).ok());
  }
  auto bad = crashtest::CheckCursorInvariant(sim, bad_state, *tenants);
  REQUIRE(bad.ok());
  CHECK_FALSE(bad->ok());
  REQUIRE_FALSE(bad->violations.empty());
  for (const auto& v : bad->violations) CHECK(v.find(dropped) != std::string::npos);

  // A quarantined message counts as terminal: quarantining the dropped key mends it.
  {
    auto store = state::Store::Open(bad_state);
    REQUIRE(store.ok());
    state::CheckpointBatch quarantine;
    quarantine.quarantine.emplace_back("tenant-1", dropped,
                                       state::QuarantineEntry{"FIELD_INTEGRITY_EXCEPTION", "planted", 1, "u", 1});
    REQUIRE((*store)->Commit(quarantine).ok());
  }
  auto mended = crashtest::CheckCursorInvariant(sim, bad_state, *tenants);
  REQUIRE(mended.ok());
  CHECK(mended->violations.empty());
}

TEST_CASE("the simulator places no cursor it did not issue", "[crash]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "3", "--tenants", "1", "--users", "2", "--messages", "5"});
  for (const std::string body : {"", "not a link", "https://x/v1.0/users/a/mailFolders/inbox/messages/delta?$skiptoken=AAAA",
                                 "12345"}) {
    INFO(body);
    const std::string answer = sim.Post("/_sim/cursor_keys", body);
    CHECK(answer.find(R"("checkable":false)") != std::string::npos);
  }
}

TEST_CASE("SIGKILL at every named crash point and at random: invariant after every restart, verify clean",
          "[crash]") {
  const std::string providers = GENERATE(as<std::string>{}, "graph", "gmail");
  INFO(providers);
  crashtest::CrashTestOptions options;
  options.providers = providers;
  options.kills = 7;
  options.tenants = 2;
  options.users = 12;
  options.messages = 25;
  options.seed = Catch::rngSeed() + 1;
  options.max_delay_ms = 600;
  options.max_nth = 2;
  const auto result = crashtest::RunCrashTest(options, nullptr);
  for (const auto& v : result.violations) UNSCOPED_INFO(v);
  INFO(result.verify.raw);
  CHECK(result.ok());
  CHECK(result.kills == options.kills);
  for (const std::string& point : crashtest::CrashPointNames()) {
    INFO(point);
    CHECK(result.point_kills.count(point) == 1);
  }
  CHECK(result.invariant_checks >= options.kills + 1);
  CHECK(result.keys_checked > 0);
  CHECK(result.verify.expected > 50);
  CHECK(result.verify.missing == 0);
  CHECK(result.verify.duplicates == 0);
  CHECK(result.verify.unexpected == 0);
}

TEST_CASE("CRMSYNC_CRASH_AT kills only at a point it names and at the Nth hit", "[crash]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "4", "--tenants", "1", "--users", "3", "--messages", "5"});
  const std::vector<std::string> args = {"run", "--config", sim.config_path(), "--state", dir.path() + "/state",
                                         "--quiet"};
  auto run_with = [&](const char* armed) {
    setenv("CRMSYNC_CRASH_AT", armed, 1);
    auto run = RunCrmsync(args);
    unsetenv("CRMSYNC_CRASH_AT");
    return run;
  };
  // 3 users x 2 folders: page_fetched is hit at least 6 times per run.
  CHECK(run_with("page_fetched:2").signal == SIGKILL);
  CHECK(run_with("page_fetched").signal == SIGKILL);
  for (const char* harmless : {"no_such_point", "page_fetched:0", "page_fetched:x", "page_fetched:100000", ":3"}) {
    INFO(harmless);
    const auto run = run_with(harmless);
    CHECK(run.signal == 0);
    CHECK(run.exit_code == 0);
  }
}

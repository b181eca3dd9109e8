// The Salesforce org's adaptive concurrency carries over between runs: a run
// starts where the last run that used the org left it (for a day), and a run
// that makes no Salesforce call leaves the stored value as it was.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "crmsync/state/store.hpp"
#include "harness.hpp"
#include "verify_checks.hpp"

using namespace crmsync;
using namespace crmsync::harness;

namespace {

// Where the engine keeps it (engine/src/learned_org_limit.cpp).
const state::StreamId kLearnedLimit{"tenant-1", "_limits", "salesforce_org_concurrency"};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Plant(const std::string& state_dir, const std::string& limit, std::int64_t updated_ms) {
  auto store = state::Store::Open(state_dir);
  REQUIRE(store.ok());
  state::CheckpointBatch batch;
  batch.cursors.emplace_back(kLearnedLimit, state::Cursor{limit, updated_ms});
  REQUIRE(store.value()->Commit(batch).ok());
}

std::optional<state::Cursor> Stored(const std::string& state_dir) {
  auto store = state::Store::Open(state_dir);
  REQUIRE(store.ok());
  auto cursor = store.value()->GetCursor(kLearnedLimit);
  REQUIRE(cursor.ok());
  return cursor.value();
}

void Run(const SimProcess& sim, const std::string& state_dir) {
  auto run = RunCrmsync({"run", "--config", sim.config_path(), "--state", state_dir, "--quiet"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
}

}  // namespace

TEST_CASE("a run starts at the org concurrency the last run learned, unless that is a day old", "[limits]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "9", "--tenants", "1", "--users", "6", "--messages", "4"});
  const std::string fresh_state = dir.path() + "/fresh";
  const std::string stale_state = dir.path() + "/stale";
  const std::int64_t now = NowMs();
  Plant(fresh_state, "1.00", now - 60'000);
  Plant(stale_state, "1.00", now - 25LL * 3600 * 1000);

  // Both runs succeed without a single throttled answer, so the limit only
  // climbs: from 1 by 1/8 per answer, or it stays at the default 25.
  Run(sim, fresh_state);
  const auto fresh = Stored(fresh_state);
  REQUIRE(fresh.has_value());
  const double fresh_limit = std::strtod(fresh->position.c_str(), nullptr);
  CHECK(fresh_limit > 1.0);
  CHECK(fresh_limit < 10.0);
  CHECK(fresh->updated_unix_ms >= now);

  Run(sim, stale_state);
  const auto stale = Stored(stale_state);
  REQUIRE(stale.has_value());
  CHECK(std::strtod(stale->position.c_str(), nullptr) == Approx(25.0));
}

TEST_CASE("a run without Salesforce calls leaves the learned org concurrency as it was", "[limits]") {
  TempDir dir;
  SimProcess sim(dir.path(), {"--seed", "9", "--tenants", "1", "--users", "6", "--messages", "4"});
  const std::string state_dir = dir.path() + "/state";
  Run(sim, state_dir);
  CheckMailExact(ParseVerify(sim.Get("/_sim/verify")));
  const auto after_full = Stored(state_dir);
  REQUIRE(after_full.has_value());
  CHECK(std::strtod(after_full->position.c_str(), nullptr) == Approx(25.0));

  Run(sim, state_dir);   // idle: nothing new, the owners reused from the state
  const auto after_idle = Stored(state_dir);
  REQUIRE(after_idle.has_value());
  CHECK(after_idle->updated_unix_ms == after_full->updated_unix_ms);
}

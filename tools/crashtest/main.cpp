// crmsync-crashtest: SIGKILLs `crmsync run` N times while it syncs a generated
// corpus, checks the cursor invariant after every kill and the simulator's
// verdict at the end. Exit 0 when nothing was violated, 1 otherwise, 2 usage.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "crash_driver.hpp"

int main(int argc, char** argv) {
  crmsync::crashtest::CrashTestOptions options;
  options.kills = 50;
  options.messages = 1000;
  CLI::App app{"crmsync crash test: random and named-point SIGKILLs, invariant after every restart"};
  app.add_option("--kills", options.kills, "SIGKILLs to deliver")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--messages", options.messages, "origin messages per mailbox")
      ->check(CLI::Range(1, 10000000))->capture_default_str();
  app.add_option("--tenants", options.tenants, "tenants")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--users", options.users, "mailbox users per tenant")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--providers", options.providers, "mail systems of the tenants, in turn: graph, gmail or graph,gmail")
      ->capture_default_str();
  app.add_option("--fault-rate", options.fault_rate, "fraction of simulator requests answered with a fault (needs crmsync-sim --fault-rate)")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--seed", options.seed, "corpus and kill-schedule seed")->capture_default_str();
  app.add_option("--page-size", options.page_size, "Graph page size")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--min-delay-ms", options.min_delay_ms, "shortest random kill delay")->check(CLI::Range(0, 3600000))->capture_default_str();
  app.add_option("--max-delay-ms", options.max_delay_ms, "longest random kill delay")->check(CLI::Range(0, 3600000))->capture_default_str();
  app.add_option("--max-nth", options.max_nth, "crash points kill at a hit drawn from 1..N")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--advance", options.advance_messages,
                 "new mail per mailbox whenever a run catches up before all kills are done (0: none)")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
  bool no_rotation = false;
  app.add_flag("--no-rotation", no_rotation, "Salesforce does not rotate refresh tokens (the token crash point is then never hit)");
  app.add_option("--work-dir", options.work_dir, "keep the simulator files and the state here (default: a temporary directory)");
  CLI11_PARSE(app, argc, argv);
  options.rotate_refresh_tokens = !no_rotation;

  const auto result = crmsync::crashtest::RunCrashTest(options, stdout);
  std::printf("\nkills: %d (random %d", result.kills, result.random_kills);
  for (const auto& [point, n] : result.point_kills) std::printf(", %s %d", point.c_str(), n);
  std::printf(")\nruns: %d, restarts after a kill: %d, Salesforce reconnects by the administrator: %d, "
              "new-mail rounds: %d\n",
              result.runs, result.restarts, result.reconnects, result.advances);
  std::printf("invariant checks: %lld, passed messages checked against the ledger: %lld\n",
              static_cast<long long>(result.invariant_checks), static_cast<long long>(result.keys_checked));
  std::printf("faults injected: %s%s\n", result.faults_injected ? "yes" : "no",
              result.notes.empty() ? "" : (" (" + result.notes + ")").c_str());
  std::printf("verify: expected %lld, present %lld, missing %lld, duplicates in Salesforce %lld, unexpected %lld, "
              "mismatched %lld\n",
              static_cast<long long>(result.verify.expected), static_cast<long long>(result.verify.present),
              static_cast<long long>(result.verify.missing), static_cast<long long>(result.verify.duplicates),
              static_cast<long long>(result.verify.unexpected), static_cast<long long>(result.verify.mismatched));
  std::printf("rejected by injected per-record errors (quarantined, not missing): %lld\n",
              static_cast<long long>(crmsync::harness::JsonInt(result.verify.raw, "rejected")));
  std::printf("duplicate upserts on the wire (harmless, Salesforce updated a key it held): %lld\n",
              static_cast<long long>(result.wire_duplicate_upserts));
  for (const auto& v : result.violations) std::printf("VIOLATION: %s\n", v.c_str());
  std::printf("%s\n", result.ok() ? "CRASH TEST PASSED" : "CRASH TEST FAILED");
  return result.ok() ? 0 : 1;
}

// Helpers shared by the backfill integration tests (Gmail in
// backfill_test.cpp, Graph and EWS in backfill_microsoft_test.cpp).
#pragma once

#include <string>
#include <vector>

namespace crmsync::harness {

// Sets page_size in the [tenants.<section>] tables of a configuration, where
// `sections` is a regex alternation of table names ("microsoft|google").
void UseSmallPages(const std::string& config_path, const std::string& sections, int page_size);

// `head` followed by `tail`.
std::vector<std::string> Args(std::vector<std::string> head, const std::vector<std::string>& tail);

// Runs crmsync with `args` `rounds` times: the first killed at the crash
// point page_fetched (second hit), the others with SIGKILL after a random
// delay in [min_ms, max_ms] (seeded by Catch's --rng-seed) unless they
// finished first; checks that each round was killed or succeeded. How many
// were killed.
int RunKilledRounds(const std::vector<std::string>& args, int rounds, int min_ms, int max_ms);

}  // namespace crmsync::harness

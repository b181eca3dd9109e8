#include "backfill_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>

#include <chrono>
#include <random>
#include <regex>

#include "harness.hpp"

namespace crmsync::harness {

void UseSmallPages(const std::string& config_path, const std::string& sections, int page_size) {
  const std::string config = ReadFile(config_path);
  WriteFile(config_path, std::regex_replace(config, std::regex(R"(\[tenants\.()" + sections + R"()\])"),
                                            "$&\npage_size = " + std::to_string(page_size)));
}

std::vector<std::string> Args(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

int RunKilledRounds(const std::vector<std::string>& args, int rounds, int min_ms, int max_ms) {
  std::mt19937 rng(Catch::rngSeed());
  std::uniform_int_distribution<int> delay_ms(min_ms, max_ms);
  int killed = 0;
  for (int round = 0; round < rounds; ++round) {
    // The first round dies at a named crash point (its second page fetched),
    // so at least one kill lands however fast the machine finishes the job;
    // the others at random moments.
    if (round == 0) setenv("CRMSYNC_CRASH_AT", "page_fetched:2", 1);
    auto run = round == 0 ? RunCrmsync(args) : RunCrmsyncKilledAfter(args, std::chrono::milliseconds(delay_ms(rng)));
    if (round == 0) unsetenv("CRMSYNC_CRASH_AT");
    INFO(run.output);
    if (run.signal == SIGKILL) ++killed;
    CHECK((run.signal == SIGKILL || run.exit_code == 0));
  }
  return killed;
}

}  // namespace crmsync::harness

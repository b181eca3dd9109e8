#include "salesforce_budget.hpp"

#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace crmsync::engine {

Result<std::string> BudgetDay() {
  if (const char* forced = std::getenv("CRMSYNC_TODAY"); forced != nullptr && *forced != '\0') {
    std::tm tm{};
    const char* end = strptime(forced, "%Y-%m-%d", &tm);
    if (end == nullptr || *end != '\0') {
      return Status::InvalidArgument(fmt::format("CRMSYNC_TODAY='{}' is not a date (YYYY-MM-DD)", forced));
    }
    return std::string(forced);
  }
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
  return std::string(buffer);
}

state::StreamId BudgetCounterId(const std::string& tenant, const std::string& day) {
  return state::StreamId{tenant, "_budget", "salesforce_calls/" + day};
}

Result<std::uint64_t> LoadBudgetCalls(state::Store& store, const std::string& tenant, const std::string& day) {
  auto cursor = store.GetCursor(BudgetCounterId(tenant, day));
  if (!cursor.ok()) return cursor.status();
  if (!cursor.value()) return std::uint64_t{0};
  const std::string& text = cursor.value()->position;
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Corruption(
        fmt::format("state: the Salesforce call count of tenant {} for {} is not a number", tenant, day));
  }
  for (char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

std::uint64_t BackfillAllowance(const BudgetConfig& budget) {
  if (budget.daily_salesforce_calls <= 0) return 0;
  return static_cast<std::uint64_t>(budget.daily_salesforce_calls) *
         static_cast<std::uint64_t>(budget.backfill_share_percent) / 100;
}

}  // namespace crmsync::engine

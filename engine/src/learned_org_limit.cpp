#include "learned_org_limit.hpp"

#include <charconv>

#include <fmt/format.h>

namespace crmsync::engine {

state::StreamId LearnedOrgLimitId(const std::string& tenant) {
  return state::StreamId{tenant, "_limits", "salesforce_org_concurrency"};
}

Result<std::optional<double>> LoadLearnedOrgLimit(state::Store& store, const std::string& tenant,
                                                  std::int64_t now_unix_ms) {
  auto cursor = store.GetCursor(LearnedOrgLimitId(tenant));
  if (!cursor.ok()) return cursor.status();
  if (!cursor.value()) return std::optional<double>{};
  const state::Cursor& stored = *cursor.value();
  const auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kLearnedOrgLimitTtl).count();
  if (now_unix_ms - stored.updated_unix_ms >= ttl_ms) return std::optional<double>{};
  double limit = 0;
  const char* begin = stored.position.data();
  const char* end = begin + stored.position.size();
  const auto [stop, error] = std::from_chars(begin, end, limit);
  // Not worth failing a run for: the limiter then starts at its default.
  if (error != std::errc() || stop != end || !(limit > 0)) return std::optional<double>{};
  return std::optional<double>{limit};
}

Status SaveLearnedOrgLimit(state::Store& store, const std::string& tenant, double limit, std::int64_t now_unix_ms) {
  state::CheckpointBatch batch;
  batch.cursors.emplace_back(LearnedOrgLimitId(tenant), state::Cursor{fmt::format("{:.2f}", limit), now_unix_ms});
  return store.Commit(batch);
}

}  // namespace crmsync::engine

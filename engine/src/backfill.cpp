#include "crmsync/engine/backfill.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "crmsync/engine/classify.hpp"

namespace crmsync::engine {
namespace {

// FNV-1a: a stable, dependency-free fingerprint of the job's arguments (not
// a security boundary; collisions only matter between one state's own jobs).
std::uint64_t Fnv1a(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::string BackfillJobId(const BackfillWindow& window) {
  std::vector<std::string> users = window.users;
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  std::string key = fmt::format("v1|{}|{}|{}", window.since_unix, window.until_unix, window.tenant);
  for (const auto& u : users) key += "|" + u;
  return fmt::format("{:016x}", Fnv1a(key));
}

std::string BackfillStreamKind(const std::string& job_id, const std::string& kind) {
  return fmt::format("backfill/{}/{}", job_id, kind);
}

bool BackfillSelects(const BackfillWindow& window, const MailUserView& user) {
  if (window.users.empty()) return true;
  for (const auto& wanted : window.users) {
    if (HasAddress(user, wanted)) return true;
  }
  return false;
}

int BackfillConcurrency(int limit, int share_percent) {
  const long long shared = static_cast<long long>(limit) * std::clamp(share_percent, 0, 100) / 100;
  return static_cast<int>(std::max(1LL, shared));
}

Result<std::int64_t> ParseUtcDate(const std::string& text, const std::string& what) {
  std::tm tm{};
  const char* end = nullptr;
  if (text.size() == 10) {
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  } else if (text.size() == 20 && text.back() == 'Z') {
    end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  if (end == nullptr || *end != '\0') {
    return Status::InvalidArgument(
        fmt::format("{} '{}' is not a date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", what, text));
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace crmsync::engine

#include "capture_rule_set.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "corpus.hpp"
#include "json_escape.hpp"

namespace crmsync::sim {

const char* RuleSetName(RuleSetKind kind) {
  switch (kind) {
    case RuleSetKind::kAutomatic: return "automatic";
    case RuleSetKind::kSelective: return "selective";
    case RuleSetKind::kExclusions: return "exclusions";
    case RuleSetKind::kCreateLead: return "create-lead";
  }
  return "automatic";
}

std::optional<RuleSetKind> ParseRuleSetKind(std::string_view name) {
  if (name == "automatic") return RuleSetKind::kAutomatic;
  if (name == "selective") return RuleSetKind::kSelective;
  if (name == "exclusions") return RuleSetKind::kExclusions;
  if (name == "create-lead") return RuleSetKind::kCreateLead;
  return std::nullopt;
}

namespace {
// TOML basic strings accept the JSON escapes JsonEscape emits.
std::string Quoted(const std::string& value) { return "\"" + JsonEscape(value) + "\""; }
}  // namespace

std::string CaptureTableToml(const Tenant& tenant, const RuleSet& rules) {
  if (rules.kind == RuleSetKind::kAutomatic) return {};
  std::string out = fmt::format("[tenants.capture]   # crmsync-sim --capture {}\n", RuleSetName(rules.kind));
  if (rules.selective) {
    out += fmt::format("mode = \"selective\"\ncategories = [{}]\nlabels = [{}]\nfolders = [{}]\n", Quoted(kCrmMarker),
                       Quoted(kCrmMarker), Quoted(kCrmMarker));
  }
  if (rules.exclusions) {
    const CaptureDesignations& d = tenant.designated;
    out += fmt::format("exclude_domains = [{}]\nexclude_addresses = [{}]\nexclude_subjects = [{}]\n",
                       Quoted(d.excluded_domain), Quoted(d.excluded_address), Quoted(kExcludedSubjectPattern));
  }
  if (rules.create_lead) out += "unknown_person = \"create_lead\"\n";
  if (rules.max_age_days > 0) out += fmt::format("max_age_days = {}\n", rules.max_age_days);
  if (rules.max_body_chars != 32000) out += fmt::format("max_body_chars = {}\n", rules.max_body_chars);
  if (rules.exclusions) {
    const CaptureDesignations& d = tenant.designated;
    out += fmt::format("[[tenants.capture.users]]\naddress = {}\nexclude_domains = [{}]\n",
                       Quoted(tenant.users[static_cast<std::size_t>(d.user)].primary), Quoted(d.user_excluded_domain));
  }
  return out;
}

RuleSet MakeRuleSet(RuleSetKind kind, std::int64_t start_clock, std::int64_t real_now) {
  RuleSet rules;
  rules.kind = kind;
  if (kind == RuleSetKind::kSelective) rules.selective = true;
  if (kind == RuleSetKind::kCreateLead) rules.create_lead = true;
  if (kind == RuleSetKind::kExclusions) {
    rules.exclusions = true;
    rules.max_body_chars = 2000;
    constexpr std::int64_t kDay = 86400;
    const std::int64_t gap_center = start_clock - kMaxAgeGapDays * kDay;
    const double days = static_cast<double>(real_now - gap_center) / static_cast<double>(kDay);
    rules.max_age_days = static_cast<int>(std::max<long long>(1, std::llround(days)));
    rules.too_old_before = real_now - static_cast<std::int64_t>(rules.max_age_days) * kDay;
  }
  return rules;
}

}  // namespace crmsync::sim

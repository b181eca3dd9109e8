// The capture rule sets crmsync-sim can emit (--capture) and the ground truth
// follows: the values of the [tenants.capture] table --write-config writes.
// The tenant-specific values (excluded domain/address, the per-user rule)
// are corpus facts (Tenant::designated, corpus.hpp).
//
// - automatic: the engine's defaults; no [tenants.capture] table is written.
// - selective: mode = "selective", categories = ["CRM"], labels = ["CRM"],
//   folders = ["CRM"] (the user folder of corpus.hpp; Graph and EWS tenants serve it).
// - exclusions: automatic plus exclude_domains / exclude_addresses /
//   exclude_subjects = ["(?i)confidential"], one [[tenants.capture.users]]
//   (user 0: its own excluded domain), max_age_days, max_body_chars = 2000.
//   The engine applies max_age_days against the real clock, so the simulator
//   picks it at start from the real clock: max_age_days = round((now − G) /
//   1 day) with G = epoch 0's clock − 30 days, so the cutoff now − max_age_days
//   is within 12 h of G; the corpus dates no message within 1.5 days of G.
// - create-lead: automatic plus unknown_person = "create_lead": every
//   external participant of captured mail that is no Contact or Lead gets a
//   Lead (key "lead:" + lower-case address), and mail whose only external
//   people are unknown is captured with such a Lead as WhoId.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::sim {

struct Tenant;

enum class RuleSetKind { kAutomatic, kSelective, kExclusions, kCreateLead };
enum class DirectionRule { kBoth, kIncoming, kOutgoing };

inline constexpr std::int64_t kMaxAgeGapDays = 30;          // G = start clock − this many days
inline constexpr std::int64_t kMaxAgeGapHalfWidth = 36 * 3600;   // no message dated within G ± 1.5 days

struct RuleSet {
  RuleSetKind kind = RuleSetKind::kAutomatic;
  bool selective = false;               // mode = "selective" with categories/labels ["CRM"]
  DirectionRule direction = DirectionRule::kBoth;
  bool skip_internal = true;
  bool skip_auto_replies = true;
  bool skip_bulk = true;
  bool exclusions = false;              // tenant + per-user designated exclusions, subject pattern
  int max_age_days = 0;                 // 0: no limit
  std::int64_t too_old_before = 0;      // sent < this (Unix seconds) is too_old; 0: none
  std::size_t max_body_chars = 32000;
  bool create_lead = false;             // unknown_person = "create_lead"
};

inline constexpr const char* kCrmMarker = "CRM";                  // Outlook category and Gmail label name
inline constexpr const char* kExcludedSubjectPattern = "(?i)confidential";

const char* RuleSetName(RuleSetKind kind);   // "automatic" | "selective" | "exclusions" | "create-lead"
// nullopt for an unknown name; "freebusy" is known but not supported yet (the caller says so).
std::optional<RuleSetKind> ParseRuleSetKind(std::string_view name);

// The [tenants.capture] table (and its [[tenants.capture.users]]) of `rules`
// for `tenant`, TOML; empty for automatic (the engine's defaults).
std::string CaptureTableToml(const Tenant& tenant, const RuleSet& rules);

// The rule set `kind` for a simulator whose epoch 0 clock is `start_clock`,
// started at real time `real_now` (both Unix seconds).
RuleSet MakeRuleSet(RuleSetKind kind, std::int64_t start_clock, std::int64_t real_now);

}  // namespace crmsync::sim

// CaptureRules: one tenant's CaptureConfig compiled once per run against its
// TenantDirectory into a matcher: hash sets for excluded addresses and
// domains, one RE2::Set per scope for excluded subjects, per-user exclusions
// reachable from any alias of the user. Immutable after Compile; Evaluate is
// thread-safe and allocates nothing per message.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/engine/capture_config.hpp"
#include "crmsync/engine/classify.hpp"

namespace crmsync::engine {

enum class CrmObject { kContact, kLead };

// What Classify knows of one copy before the rules run.
struct CopyFacts {
  const std::vector<std::string>& participants;  // from, to, cc, bcc; lower-case; unique
  Direction direction;
  bool has_external;
};

class CaptureRules {
 public:
  // Compiles `config` for `directory`. Per-user exclusions apply to the
  // mailbox of the user owning their `address` under any alias; an address
  // that is no mailbox user of the tenant matches no mailbox. Errors name the
  // tenant, the key and the value (configuration is validated on load, so an
  // error here means the configuration was built in code).
  static Result<std::unique_ptr<CaptureRules>> Compile(std::string_view tenant_id, const CaptureConfig& config,
                                                       const TenantDirectory& directory);
  // The default configuration: never fails.
  static const CaptureRules& Default();

  ~CaptureRules();
  CaptureRules(const CaptureRules&) = delete;
  CaptureRules& operator=(const CaptureRules&) = delete;

  // The rules after no_message_id, in the documented order (classify.hpp):
  // too_old, wrong_direction, not_selected, auto_reply, bulk,
  // excluded_address, excluded_domain, excluded_subject, internal_only.
  // kNone when the copy is a candidate (a CRM match decides the rest).
  SkipReason Evaluate(const Message& message, const MailboxUser& mailbox, const CopyFacts& facts,
                      std::chrono::system_clock::time_point now) const;

  const CaptureConfig& config() const { return config_; }
  // CRM objects to match, in order of preference (never empty).
  const std::vector<CrmObject>& match_order() const { return match_order_; }
  // WhoId: the id of the first object in match_order() that has one, given
  // the first external participant's Contact and the first one's Lead ("" =
  // none); "" when none applies (no_crm_match).
  const std::string& ChooseWho(const std::string& first_contact, const std::string& first_lead) const;
  // Description limit of the Task, in code points.
  std::size_t max_body_chars() const { return static_cast<std::size_t>(config_.max_body_chars); }

  // Header facts, exposed for tests: Auto-Submitted present and not "no", or
  // the mail system's flag; a List-Unsubscribe, or Precedence bulk/list/junk.
  static bool IsAutoReply(const Message& message);
  static bool IsBulk(const Message& message);
  // "2026-05-01T10:00:00Z" (fraction and +hh:mm offsets accepted) to a time
  // point; nullopt when it is not such a timestamp.
  static std::optional<std::chrono::system_clock::time_point> ParseSentAt(std::string_view iso);

 private:
  using StringHash = TransparentStringHash;
  using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
  struct SubjectSet;   // an RE2::Set; keeps RE2 out of this header
  struct Scope {
    StringSet addresses;
    StringSet domains;
    std::unique_ptr<SubjectSet> subjects;   // null when there are no patterns
    std::vector<std::string> patterns;      // gathered before compiling
    Scope();
    Scope(Scope&&) noexcept;
    ~Scope();
  };

  CaptureRules() = default;
  const Scope* UserScope(const MailboxUser& mailbox) const;
  bool Selected(const Message& message) const;
  static Status CompileScope(std::string_view tenant_id, std::string_view where, Scope& scope);

  CaptureConfig config_;
  std::vector<CrmObject> match_order_;
  Scope tenant_;
  std::vector<Scope> users_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> user_scope_by_address_;
};

}  // namespace crmsync::engine

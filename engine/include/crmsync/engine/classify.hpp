// classify: who is "me", who is internal, what the dedup key is, and whether
// a copy of a message is a capture candidate under the tenant's capture rules
// (capture_rules.hpp). Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crmsync/core/mail_source.hpp"
#include "crmsync/core/message.hpp"
#include "crmsync/engine/flat_string_index.hpp"
#include "crmsync/engine/mailbox_user.hpp"
#include "crmsync/engine/text.hpp"

namespace crmsync::engine {

// `address` is the user's primary or one of its aliases (exact, lower-case as stored).
bool HasAddress(const MailUserView& user, std::string_view address);

// The organization's people and domains. Immutable after construction.
class TenantDirectory {
 public:
  TenantDirectory(std::vector<std::string> domains, std::vector<MailboxUser> users);

  // `address` lower-case. Internal when its domain is one of the org domains.
  bool IsInternal(std::string_view address) const;
  // The mailbox user owning `address` under any alias, or nullptr.
  const MailboxUser* FindUser(std::string_view address) const;
  const std::vector<MailboxUser>& users() const { return users_; }
  const std::vector<std::string>& domains() const { return domains_; }

 private:
  // Up to this many domains IsInternal compares them one by one; beyond, it hashes.
  static constexpr std::size_t kMaxDomainsScanned = 8;
  std::vector<std::string> domains_;
  std::unordered_set<std::string, TransparentStringHash, std::equal_to<>> domain_set_;
  std::vector<MailboxUser> users_;
  // Every address (primary and aliases) -> the first user holding it,
  // verified against users_: no second copy of the addresses.
  FlatStringIndex<> user_by_address_;
};

// Every reason a copy is not captured, counted in the run report under
// skipped.<SkipReasonName>. The names are stable: reports and the simulator's
// ground truth use them. The order of the rules applied is documented at
// Classify below.
enum class SkipReason {
  kNone,
  kRemoved,          // delta tombstone
  kDraft,
  kNoMessageId,      // nothing to deduplicate on
  kInternalOnly,
  kNoCrmMatch,       // no external participant is a Contact or Lead
  kAlreadyCaptured,  // the ledger holds the key from an earlier run
  kTooOld,           // sent before now - max_age_days
  kWrongDirection,   // incoming copy with direction = "outgoing", or the reverse
  kNotSelected,      // selective mode: no marked category, label or folder
  kAutoReply,        // Auto-Submitted other than "no", or the mail system's flag
  kBulk,             // List-Unsubscribe, or Precedence bulk / list / junk
  kExcludedAddress,
  kExcludedDomain,
  kExcludedSubject,
};
inline constexpr int kSkipReasonCount = 15;
const char* SkipReasonName(SkipReason reason);

// Outgoing when the sender is the mailbox user under any alias.
enum class Direction { kIncoming, kOutgoing };

struct Classification {
  SkipReason skip = SkipReason::kNone;
  Direction direction = Direction::kIncoming;
  std::string key;                              // normalized Message-ID
  std::vector<std::string> external_addresses;  // from, to, cc, bcc order; lower-case; unique
  std::string owner_salesforce_id;              // deterministic across mailboxes
};

class CaptureRules;

// Decides everything that does not need Salesforce, for one copy of a
// message in `mailbox`. The reported reason is the first that applies, in
// this order: removed, draft, no_message_id, too_old, wrong_direction,
// not_selected, auto_reply, bulk, excluded_address, excluded_domain,
// excluded_subject, internal_only (already_captured and no_crm_match come
// later, from the ledger and the CRM match). The owner is the Salesforce user
// of the first internal participant (from, to, cc, bcc) who is a mailbox user
// with a Salesforce user, falling back to the mailbox owner: it depends only
// on the message, so every copy agrees. `rules` must have been compiled for
// `directory`.
Classification Classify(const Message& message, const TenantDirectory& directory, const MailboxUser& mailbox,
                        const CaptureRules& rules, std::chrono::system_clock::time_point now);

// The default capture rules (CaptureConfig{}), for callers without a configuration.
Classification Classify(const Message& message, const TenantDirectory& directory,
                        const MailboxUser& mailbox);

// Lower-case address with the domain part extracted; "" when not an address.
std::string_view DomainOf(std::string_view address);

}  // namespace crmsync::engine

// classify: who is "me", who is internal, what the dedup key is, and whether
// a message is a capture candidate under the default policy of this slice
// (capture when an external participant is a Salesforce Contact or Lead;
// skip internal-only mail). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crmsync/core/message.hpp"

namespace crmsync::engine {

struct MailboxUser {
  std::string id;                      // connector's user id (Graph object id)
  std::string primary;                 // primary address, lower-case
  std::vector<std::string> aliases;    // every address of the user, lower-case, primary included
  std::string salesforce_user_id;      // "" when the user has no Salesforce user
  bool enabled = true;
};

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
  std::vector<std::string> domains_;
  std::unordered_set<std::string> domain_set_;
  std::vector<MailboxUser> users_;
  std::unordered_map<std::string, std::size_t> user_by_address_;
};

enum class SkipReason {
  kNone,
  kRemoved,          // delta tombstone
  kDraft,
  kNoMessageId,      // nothing to deduplicate on
  kInternalOnly,
  kNoCrmMatch,       // no external participant is a Contact or Lead
  kAlreadyCaptured,  // the ledger holds the key from an earlier run
};
inline constexpr int kSkipReasonCount = 7;
const char* SkipReasonName(SkipReason reason);

struct Classification {
  SkipReason skip = SkipReason::kNone;
  std::string key;                              // normalized Message-ID
  std::vector<std::string> external_addresses;  // from, to, cc, bcc order; lower-case; unique
  std::string owner_salesforce_id;              // deterministic across mailboxes
};

// Decides everything that does not need Salesforce. The owner is the
// Salesforce user of the first internal participant (from, to, cc, bcc) who
// is a mailbox user with a Salesforce user, falling back to the mailbox
// owner: it depends only on the message, so every copy agrees.
Classification Classify(const Message& message, const TenantDirectory& directory,
                        const MailboxUser& mailbox);

// Lower-case address with the domain part extracted; "" when not an address.
std::string_view DomainOf(std::string_view address);

}  // namespace crmsync::engine

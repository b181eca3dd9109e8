#include "crmsync/engine/classify.hpp"

#include <algorithm>

#include "crmsync/engine/address_list.hpp"
#include "crmsync/engine/capture_rules.hpp"
#include "crmsync/engine/message_key.hpp"
#include "crmsync/engine/text.hpp"

namespace crmsync::engine {

const char* SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNone: return "none";
    case SkipReason::kRemoved: return "removed";
    case SkipReason::kDraft: return "draft";
    case SkipReason::kNoMessageId: return "no_message_id";
    case SkipReason::kInternalOnly: return "internal_only";
    case SkipReason::kNoCrmMatch: return "no_crm_match";
    case SkipReason::kAlreadyCaptured: return "already_captured";
    case SkipReason::kTooOld: return "too_old";
    case SkipReason::kWrongDirection: return "wrong_direction";
    case SkipReason::kNotSelected: return "not_selected";
    case SkipReason::kAutoReply: return "auto_reply";
    case SkipReason::kBulk: return "bulk";
    case SkipReason::kExcludedAddress: return "excluded_address";
    case SkipReason::kExcludedDomain: return "excluded_domain";
    case SkipReason::kExcludedSubject: return "excluded_subject";
  }
  return "unknown";
}

std::string_view DomainOf(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 >= address.size()) return {};
  return address.substr(at + 1);
}

bool HasAddress(const MailUserView& user, std::string_view address) {
  return address == user.primary || user.aliases.contains(address);
}

TenantDirectory::TenantDirectory(std::vector<std::string> domains, std::vector<MailboxUser> users)
    : domains_(std::move(domains)), users_(std::move(users)) {
  for (auto& domain : domains_) {
    domain = AsciiLower(domain);
    domain_set_.insert(domain);
  }
  std::size_t addresses = 0;
  for (const auto& user : users_) addresses += 1 + user.aliases().size();
  user_by_address_.Reserve(addresses);
  const auto holds = [this](std::uint32_t user, std::string_view address) { return HasAddress(users_[user], address); };
  for (std::size_t i = 0; i < users_.size(); ++i) {
    const auto handle = static_cast<std::uint32_t>(i);
    user_by_address_.Insert(users_[i].primary(), handle, holds);
    for (std::string_view alias : users_[i].aliases()) user_by_address_.Insert(alias, handle, holds);
  }
}

bool TenantDirectory::IsInternal(std::string_view address) const {
  const auto domain = DomainOf(address);
  if (domain.empty()) return false;
  // Organizations have a handful of domains: comparing them (lengths first)
  // is cheaper than hashing every participant's domain.
  if (domains_.size() <= kMaxDomainsScanned) {
    return std::find(domains_.begin(), domains_.end(), domain) != domains_.end();
  }
  return domain_set_.find(domain) != domain_set_.end();
}

const MailboxUser* TenantDirectory::FindUser(std::string_view address) const {
  const std::uint32_t found = user_by_address_.Find(
      address, [this](std::uint32_t user, std::string_view a) { return HasAddress(users_[user], a); });
  return found == FlatStringIndex<>::kNone ? nullptr : &users_[found];
}

namespace {

bool IsMe(const MailboxUser& mailbox, std::string_view address) {
  return !address.empty() && HasAddress(mailbox, address);
}

}  // namespace

Classification Classify(const Message& message, const TenantDirectory& directory, const MailboxUser& mailbox,
                        const CaptureRules& rules, std::chrono::system_clock::time_point now) {
  Classification result;
  if (message.removed) {
    result.skip = SkipReason::kRemoved;
    return result;
  }
  if (message.is_draft && rules.config().skip_drafts) {
    result.skip = SkipReason::kDraft;
    return result;
  }
  result.key = NormalizeMessageId(message.internet_message_id);
  if (result.key.empty()) {
    result.skip = SkipReason::kNoMessageId;
    return result;
  }

  // One list per thread, reused: lower-casing the participants allocates
  // nothing per message (only the external addresses kept are copied).
  thread_local AddressList participant_list;
  AddressList& list = participant_list;
  list.Clear();
  list.Add(message.from.address);
  const auto& participants = list.addresses();
  const bool outgoing = !participants.empty() && IsMe(mailbox, participants.front());
  result.direction = outgoing ? Direction::kOutgoing : Direction::kIncoming;
  for (const auto& p : message.to) list.Add(p.address);
  for (const auto& p : message.cc) list.Add(p.address);
  for (const auto& p : message.bcc) list.Add(p.address);

  for (std::size_t i = 0; i < participants.size(); ++i) {
    const std::string& address = participants[i];
    if (!directory.IsInternal(address)) {
      // Room for every participant left: one allocation, never a regrowth,
      // and none for internal-only mail.
      if (result.external_addresses.empty()) result.external_addresses.reserve(participants.size() - i);
      result.external_addresses.push_back(address);
    } else if (result.owner_salesforce_id.empty()) {
      const MailboxUser* user = directory.FindUser(address);
      if (user != nullptr) result.owner_salesforce_id = user->salesforce_user_id();
    }
  }
  if (result.owner_salesforce_id.empty()) result.owner_salesforce_id = mailbox.salesforce_user_id();
  const CopyFacts facts{participants, result.direction, !result.external_addresses.empty()};
  result.skip = rules.Evaluate(message, mailbox, facts, now);
  return result;
}

Classification Classify(const Message& message, const TenantDirectory& directory,
                        const MailboxUser& mailbox) {
  return Classify(message, directory, mailbox, CaptureRules::Default(), std::chrono::system_clock::now());
}

}  // namespace crmsync::engine

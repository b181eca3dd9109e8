#include "crmsync/engine/classify.hpp"

#include <algorithm>

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
  }
  return "unknown";
}

std::string_view DomainOf(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 >= address.size()) return {};
  return address.substr(at + 1);
}

TenantDirectory::TenantDirectory(std::vector<std::string> domains, std::vector<MailboxUser> users)
    : domains_(std::move(domains)), users_(std::move(users)) {
  for (auto& domain : domains_) {
    domain = AsciiLower(domain);
    domain_set_.insert(domain);
  }
  for (std::size_t i = 0; i < users_.size(); ++i) {
    user_by_address_.emplace(users_[i].primary, i);
    for (const auto& alias : users_[i].aliases) user_by_address_.emplace(alias, i);
  }
}

bool TenantDirectory::IsInternal(std::string_view address) const {
  const auto domain = DomainOf(address);
  return !domain.empty() && domain_set_.count(std::string(domain)) > 0;
}

const MailboxUser* TenantDirectory::FindUser(std::string_view address) const {
  const auto it = user_by_address_.find(std::string(address));
  return it == user_by_address_.end() ? nullptr : &users_[it->second];
}

Classification Classify(const Message& message, const TenantDirectory& directory,
                        const MailboxUser& mailbox) {
  Classification result;
  if (message.removed) {
    result.skip = SkipReason::kRemoved;
    return result;
  }
  if (message.is_draft) {
    result.skip = SkipReason::kDraft;
    return result;
  }
  result.key = NormalizeMessageId(message.internet_message_id);
  if (result.key.empty()) {
    result.skip = SkipReason::kNoMessageId;
    return result;
  }

  std::vector<std::string> participants;
  participants.reserve(1 + message.to.size() + message.cc.size() + message.bcc.size());
  auto add = [&participants](const Participant& p) {
    if (p.address.empty()) return;
    std::string lower = AsciiLower(p.address);
    if (std::find(participants.begin(), participants.end(), lower) == participants.end()) {
      participants.push_back(std::move(lower));
    }
  };
  add(message.from);
  for (const auto& p : message.to) add(p);
  for (const auto& p : message.cc) add(p);
  for (const auto& p : message.bcc) add(p);

  for (const auto& address : participants) {
    if (!directory.IsInternal(address)) {
      result.external_addresses.push_back(address);
    } else if (result.owner_salesforce_id.empty()) {
      const MailboxUser* user = directory.FindUser(address);
      if (user != nullptr) result.owner_salesforce_id = user->salesforce_user_id;
    }
  }
  if (result.owner_salesforce_id.empty()) result.owner_salesforce_id = mailbox.salesforce_user_id;
  if (result.external_addresses.empty()) result.skip = SkipReason::kInternalOnly;
  return result;
}

}  // namespace crmsync::engine

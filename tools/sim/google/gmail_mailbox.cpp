#include "gmail_mailbox.hpp"

#include <fmt/core.h>

#include "prng.hpp"

namespace crmsync::sim::google {
namespace {

constexpr std::int64_t kHistoryBase = 1000000;
constexpr int kIndexBits = 26;
constexpr int kEpochBits = 20;
constexpr int kOwnerBits = 18;
constexpr std::int64_t kEpochStride = std::int64_t{1} << (kIndexBits + 1);

int Previous(int user, int users) { return (user + users - 1) % users; }

}  // namespace

std::int64_t GmailMailbox::EpochBase(int epoch) { return kHistoryBase + epoch * kEpochStride; }

std::int64_t GmailMailbox::MessageHistoryId(const MessageHeader& header, int user) {
  const int slot = header.ref.owner == user ? 0 : 1;
  return EpochBase(header.ref.epoch) + (std::int64_t{slot} << kIndexBits) + header.ref.index + 1;
}

MailboxCursor GmailMailbox::CursorAfter(std::int64_t history_id) {
  if (history_id < kHistoryBase) return {};
  const std::int64_t offset = history_id - kHistoryBase;
  const std::int64_t rest = offset % kEpochStride;
  return MailboxCursor{static_cast<int>(offset / kEpochStride), static_cast<int>(rest >> kIndexBits),
                       static_cast<int>(rest & ((std::int64_t{1} << kIndexBits) - 1))};
}

std::string GmailMailbox::CrmLabelId(int tenant, int user) const {
  return fmt::format("Label_{}", 1000 + HashOf(corpus_.seed(), Tag::kCaptureTraits,
                                               {static_cast<std::uint64_t>(tenant), static_cast<std::uint64_t>(user), 0x1abe1ULL}) %
                                          9000000);
}

bool GmailMailbox::Contains(const MessageHeader& header, int user) const {
  return corpus_.InView(header, user, Folder::kInbox) || corpus_.InView(header, user, Folder::kSentItems);
}

std::vector<std::string> GmailMailbox::Labels(const MessageHeader& header, int user) const {
  std::vector<std::string> labels;
  if (corpus_.InView(header, user, Folder::kInbox)) labels.emplace_back("INBOX");
  if (corpus_.InView(header, user, Folder::kSentItems)) labels.emplace_back("SENT");
  if (corpus_.CrmLabelled(header, user)) labels.push_back(CrmLabelId(header.ref.tenant, user));
  return labels;
}

std::uint64_t GmailMailbox::Mask(int tenant, int user) const {
  return HashOf(corpus_.seed(), Tag::kMailboxCopy,
                {static_cast<std::uint64_t>(tenant), static_cast<std::uint64_t>(user), 0x6a11ULL});
}

std::string GmailMailbox::MessageId(const MessageHeader& header, int user) const {
  const MessageRef& r = header.ref;
  std::uint64_t packed = (static_cast<std::uint64_t>(r.owner) << (kEpochBits + kIndexBits)) |
                         (static_cast<std::uint64_t>(r.epoch) << kIndexBits) | static_cast<std::uint64_t>(r.index);
  return fmt::format("{:016x}", packed ^ Mask(r.tenant, user));
}

std::optional<MessageHeader> GmailMailbox::Find(int tenant, int user, std::string_view id, const Epochs& epochs) const {
  if (id.size() != 16) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : id) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<std::uint64_t>(digit);
  }
  value ^= Mask(tenant, user);
  const auto owner = static_cast<int>(value >> (kEpochBits + kIndexBits));
  const auto epoch = static_cast<int>((value >> kIndexBits) & ((1U << kEpochBits) - 1));
  const auto index = static_cast<int>(value & ((1U << kIndexBits) - 1));
  const int users = static_cast<int>(corpus_.tenants()[static_cast<std::size_t>(tenant)].users.size());
  if (owner >= (1 << kOwnerBits) || owner >= users || epoch >= static_cast<int>(epochs.size()) ||
      index >= epochs[static_cast<std::size_t>(epoch)].messages) {
    return std::nullopt;
  }
  if (owner != user && owner != Previous(user, users)) return std::nullopt;
  MessageHeader h = corpus_.Header(MessageRef{tenant, owner, epoch, index}, epochs);
  if (!Contains(h, user)) return std::nullopt;
  return h;
}

std::optional<MessageHeader> GmailMailbox::Next(int tenant, int user, int to_epoch, const Epochs& epochs,
                                                MailboxCursor& cursor) const {
  // A Gmail mailbox is Inbox and Sent Items together: every message that
  // names the user, from its own origin messages and user-1's.
  return corpus_.NextCandidate(tenant, user, /*include_previous=*/true, to_epoch, epochs, cursor,
                               [&](const MessageHeader& h) { return Contains(h, user); });
}

std::string GoogleDirectoryUserId(const Corpus& corpus, int tenant, std::size_t user) {
  return fmt::format("1{:019}", HashOf(corpus.seed(), Tag::kGraphId, {static_cast<std::uint64_t>(tenant), 77, user}) %
                                    10000000000000000000ULL);
}

}  // namespace crmsync::sim::google

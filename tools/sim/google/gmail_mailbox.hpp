// A Gmail tenant's mailboxes over the lazy corpus. The mailbox of user v holds
// one message per origin message in Inbox(v) ∪ SentItems(v) (corpus.hpp),
// labelled INBOX and/or SENT, and with the user label "CRM" when marked
// (Corpus::CrmLabelled). Enumeration order is the corpus's: epoch by
// epoch, slot 0 (origin owner v) then slot 1 (owner v-1), index ascending.
//
// Identifiers are stateless: a message id is the 16-hex-digit packing of
// (owner, epoch, index) masked by a per-mailbox hash; threadId = id. History
// ids: epoch e spans [B(e), B(e+1)) with B(e) = 1,000,000 + e * 2^27; the
// message at (e, slot, index) has id B(e) + slot * 2^26 + index + 1, and a
// mailbox whose corpus has E epochs is at historyId B(E) - 1. So ids increase
// with gaps and every Advance moves every mailbox's historyId.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"

namespace crmsync::sim::google {

// Position in a Gmail mailbox: the corpus's own view cursor.
using MailboxCursor = ViewCursor;

// The Directory API id of user `user` of `tenant` ("1" and 19 digits, stable
// for the corpus seed), as users.list answers it.
std::string GoogleDirectoryUserId(const Corpus& corpus, int tenant, std::size_t user);

class GmailMailbox {
 public:
  explicit GmailMailbox(const Corpus& corpus) : corpus_(corpus) {}

  bool Contains(const MessageHeader& header, int user) const;
  // "INBOX" and/or "SENT", and CrmLabelId when the message is labelled CRM.
  std::vector<std::string> Labels(const MessageHeader& header, int user) const;
  // The id ("Label_<n>") of the user label named "CRM" in (tenant, user)'s mailbox.
  std::string CrmLabelId(int tenant, int user) const;
  std::string MessageId(const MessageHeader& header, int user) const;
  // The message `id` of (tenant, user)'s mailbox, if it exists in `epochs`.
  std::optional<MessageHeader> Find(int tenant, int user, std::string_view id, const Epochs& epochs) const;
  // The next message at or after `cursor` with epoch < to_epoch; advances it.
  std::optional<MessageHeader> Next(int tenant, int user, int to_epoch, const Epochs& epochs,
                                    MailboxCursor& cursor) const;

  static std::int64_t EpochBase(int epoch);
  static std::int64_t MessageHistoryId(const MessageHeader& header, int user);
  static std::int64_t MailboxHistoryId(int epoch_count) { return EpochBase(epoch_count) - 1; }
  // The cursor of the first message whose history id is greater than `history_id`.
  static MailboxCursor CursorAfter(std::int64_t history_id);

 private:
  std::uint64_t Mask(int tenant, int user) const;
  const Corpus& corpus_;
};

}  // namespace crmsync::sim::google

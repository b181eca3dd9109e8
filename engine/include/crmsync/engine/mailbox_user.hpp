// The engine's record of one user for the run: the mail system's user (id,
// lower-case primary and aliases; the connectors read its mail through a
// view of it) plus its Salesforce user. One record per user: the directory
// keeps it and the streams lend it to the mail source. `enabled` here means
// "read this mailbox in this run" (the user's status is active).
//
// The strings live in ONE heap block per user (a small header, a span per
// alias, the characters; the primary shares the characters of the alias it
// equals): a record is 16 bytes plus that one allocation, where separate
// std::strings and a vector of aliases cost 5-8 allocations per user and
// were the largest part of the set-up's memory that grows with the
// directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "crmsync/core/mail_user.hpp"

namespace crmsync::engine {

class MailboxUser {
 public:
  MailboxUser() = default;
  MailboxUser(std::string_view id, std::string_view primary, const AddressRange& aliases, bool enabled,
              std::string_view salesforce_user_id = {});
  // Implicit: tests and set-up build records from a MailUser ({{id, primary, aliases, enabled}, "005..."}).
  MailboxUser(const MailUser& user, std::string_view salesforce_user_id = {})  // NOLINT(google-explicit-constructor)
      : MailboxUser(user.id, user.primary, AddressRange(user.aliases), user.enabled, salesforce_user_id) {}
  MailboxUser(const MailboxUser& other);
  MailboxUser& operator=(const MailboxUser& other);
  MailboxUser(MailboxUser&&) noexcept = default;
  MailboxUser& operator=(MailboxUser&&) noexcept = default;

  std::string_view id() const { return Field(&Header::id); }
  std::string_view primary() const { return Field(&Header::primary); }
  // Every address of the user, primary included; valid while the record is.
  // Inline: the directory's lookups read it for every internal participant.
  AddressRange aliases() const {
    if (!block_) return {};
    return AddressRange(chars(), alias_spans(), header()->alias_count);
  }
  std::string_view salesforce_user_id() const { return Field(&Header::salesforce_user_id); }  // "" when none
  bool enabled() const { return enabled_; }

  void set_enabled(bool enabled) { enabled_ = enabled; }
  // Repacks the record (set-up only: the views handed out before are void).
  void set_salesforce_user_id(std::string_view salesforce_user_id);

  // The view the mail source reads the user through; valid while the record is.
  MailUserView view() const { return MailUserView(id(), primary(), aliases(), enabled_); }
  operator MailUserView() const { return view(); }  // NOLINT(google-explicit-constructor): lent to sources as is

  // Bytes of the record's heap block, for the memory tests.
  std::size_t heap_bytes() const;

 private:
  struct Header {
    PackedSpan id;
    PackedSpan primary;
    PackedSpan salesforce_user_id;
    std::uint32_t alias_count = 0;
    std::uint32_t char_count = 0;
  };

  const Header* header() const { return reinterpret_cast<const Header*>(block_.get()); }
  const PackedSpan* alias_spans() const { return reinterpret_cast<const PackedSpan*>(block_.get() + sizeof(Header)); }
  const char* chars() const {
    return reinterpret_cast<const char*>(block_.get() + sizeof(Header) + header()->alias_count * sizeof(PackedSpan));
  }
  std::string_view Field(PackedSpan Header::*field) const {
    if (!block_) return {};
    const PackedSpan& span = header()->*field;
    return std::string_view(chars() + span.offset, span.size);
  }

  std::unique_ptr<unsigned char[]> block_;
  bool enabled_ = true;
};

}  // namespace crmsync::engine

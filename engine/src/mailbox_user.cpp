#include "crmsync/engine/mailbox_user.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace crmsync::engine {
namespace {

std::uint32_t Narrow(std::size_t n) {
  // A user's strings are addresses and ids: far below 4 GiB, or not a user.
  if (n > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("mailbox user record over 4 GiB");
  return static_cast<std::uint32_t>(n);
}

}  // namespace

MailboxUser::MailboxUser(std::string_view id, std::string_view primary, const AddressRange& aliases, bool enabled,
                         std::string_view salesforce_user_id)
    : enabled_(enabled) {
  // The primary is nearly always one of the aliases: it shares its characters.
  std::size_t primary_alias = aliases.size();
  for (std::size_t i = 0; i < aliases.size(); ++i) {
    if (aliases[i] == primary) {
      primary_alias = i;
      break;
    }
  }
  std::size_t char_count = id.size() + salesforce_user_id.size();
  if (primary_alias == aliases.size()) char_count += primary.size();
  for (std::string_view alias : aliases) char_count += alias.size();
  const std::size_t header_bytes = sizeof(Header) + aliases.size() * sizeof(PackedSpan);
  block_ = std::make_unique_for_overwrite<unsigned char[]>(header_bytes + char_count);

  Header* h = new (block_.get()) Header{};
  h->alias_count = Narrow(aliases.size());
  h->char_count = Narrow(char_count);
  PackedSpan* spans = new (block_.get() + sizeof(Header)) PackedSpan[aliases.size()];
  char* out = reinterpret_cast<char*>(block_.get() + header_bytes);
  std::size_t at = 0;
  const auto put = [&](std::string_view s) {
    if (!s.empty()) std::memcpy(out + at, s.data(), s.size());
    const PackedSpan span{Narrow(at), Narrow(s.size())};
    at += s.size();
    return span;
  };
  h->id = put(id);
  h->salesforce_user_id = put(salesforce_user_id);
  for (std::size_t i = 0; i < aliases.size(); ++i) spans[i] = put(aliases[i]);
  h->primary = primary_alias < aliases.size() ? spans[primary_alias] : put(primary);
}

MailboxUser::MailboxUser(const MailboxUser& other) : enabled_(other.enabled_) {
  if (!other.block_) return;
  const std::size_t bytes = other.heap_bytes();
  block_ = std::make_unique_for_overwrite<unsigned char[]>(bytes);
  std::memcpy(block_.get(), other.block_.get(), bytes);
}

MailboxUser& MailboxUser::operator=(const MailboxUser& other) {
  if (this != &other) *this = MailboxUser(other);
  return *this;
}

std::size_t MailboxUser::heap_bytes() const {
  if (!block_) return 0;
  return sizeof(Header) + header()->alias_count * sizeof(PackedSpan) + header()->char_count;
}

void MailboxUser::set_salesforce_user_id(std::string_view salesforce_user_id) {
  if (salesforce_user_id == this->salesforce_user_id()) return;
  *this = MailboxUser(id(), primary(), aliases(), enabled_, salesforce_user_id);
}

}  // namespace crmsync::engine

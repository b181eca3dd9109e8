#include "stored_users.hpp"

#include <limits>

#include <fmt/format.h>

namespace crmsync::engine {

std::uint32_t InternedStrings::Intern(std::string_view value) {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (values_[i] == value) return static_cast<std::uint32_t>(i);
  }
  values_.emplace_back(value);
  return static_cast<std::uint32_t>(values_.size() - 1);
}

state::UserRecord KeptUserRecords::Restore(std::size_t i) const {
  const KeptUserFields& kept = users[i];
  state::UserRecord record;
  record.status = values.Get(kept.status);
  record.source = values.Get(kept.source);
  record.status_since_unix_ms = kept.status_since_unix_ms;
  record.last_success_unix_ms = kept.last_success_unix_ms;
  record.captured = kept.captured;
  record.activated = kept.activated;
  return record;
}

Result<StoredUsers> StoredUsers::Read(state::Store& store, const std::string& tenant) {
  StoredUsers stored;
  Status read = store.ForEachUser(tenant, [&stored](const std::string& id, const state::UserRecord& record) {
    return stored.Add(id, record);
  });
  if (!read.ok()) return read;
  return stored;
}

Status StoredUsers::Add(std::string_view id, const state::UserRecord& record) {
  const auto handle = static_cast<std::uint32_t>(entries_.size());
  const auto same_id = [this](std::uint32_t entry, std::string_view text) { return IdOf(entry) == text; };
  if (by_id_.Find(id, same_id) != FlatStringIndex<>::kNone) return Status::Ok();
  constexpr std::size_t kMaxText = std::numeric_limits<std::uint32_t>::max();
  if (text_.size() + id.size() + record.primary.size() + record.salesforce_user_id.size() > kMaxText) {
    return Status::InvalidArgument(
        fmt::format("stored users: more than 4 GiB of ids and addresses (at user {} of {})", id, entries_.size()));
  }
  Entry entry{};
  const auto append = [this](std::string_view text, std::uint32_t& offset, std::uint32_t& size) {
    offset = static_cast<std::uint32_t>(text_.size());
    size = static_cast<std::uint32_t>(text.size());
    text_.append(text);
  };
  append(id, entry.id_offset, entry.id_size);
  append(record.primary, entry.primary_offset, entry.primary_size);
  append(record.salesforce_user_id, entry.salesforce_offset, entry.salesforce_size);
  entry.provisioned = record.source == "provisioned";
  entry.kept = KeptUserFields{record.status_since_unix_ms, record.last_success_unix_ms, record.captured,
                              values_.Intern(record.status), values_.Intern(record.source), record.activated};
  entries_.push_back(entry);
  by_id_.Insert(id, handle, same_id);
  if (entry.provisioned) provisioned_.emplace_back(std::string(id), record);
  return Status::Ok();
}

std::optional<StoredUsers::User> StoredUsers::Find(std::string_view id) const {
  const std::uint32_t found =
      by_id_.Find(id, [this](std::uint32_t entry, std::string_view text) { return IdOf(entry) == text; });
  if (found == FlatStringIndex<>::kNone) return std::nullopt;
  const Entry& entry = entries_[found];
  return User{Text(entry.primary_offset, entry.primary_size), Text(entry.salesforce_offset, entry.salesforce_size),
              &entry.kept, entry.provisioned};
}

KeptUserRecords StoredUsers::Keep(const std::vector<std::string_view>& ids) const {
  KeptUserRecords out;
  out.values = values_;
  out.users.reserve(ids.size());
  for (const std::string_view id : ids) {
    const auto found = Find(id);
    out.users.push_back(found ? *found->kept : KeptUserFields{});
  }
  return out;
}

}  // namespace crmsync::engine

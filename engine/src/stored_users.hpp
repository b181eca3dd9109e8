// A tenant's users family as a run needs it, read one record at a time
// (state::Store::ForEachUser) instead of decoded whole into a list: set-up
// looks users up by id (their primary address and Salesforce id), adds the
// provisioned users, and keeps only the few fields of each record that the
// run writes back unchanged at its end (KeptUserFields, ~40 bytes a user
// instead of a whole decoded record of ~600).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/flat_string_index.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

using StoredUserList = std::vector<std::pair<std::string, state::UserRecord>>;

// The handful of distinct values a field takes over every user ("active",
// "pending"; "directory", "provisioned"), each held once.
class InternedStrings {
 public:
  std::uint32_t Intern(std::string_view value);
  const std::string& Get(std::uint32_t handle) const { return values_[handle]; }

 private:
  std::vector<std::string> values_{std::string()};   // handle 0 is ""
};

// The fields of a stored user record that a run does not recompute and
// writes back as they were (status and source: to compare and keep).
struct KeptUserFields {
  std::int64_t status_since_unix_ms = 0;
  std::int64_t last_success_unix_ms = 0;
  std::uint64_t captured = 0;
  std::uint32_t status = 0;   // InternedStrings handles
  std::uint32_t source = 0;
  bool activated = false;
};

// Each run user's kept fields (index-aligned with the directory), and their values.
struct KeptUserRecords {
  InternedStrings values;
  std::vector<KeptUserFields> users;

  // The record to store for user `i`: its kept fields; every other field is
  // the caller's to set.
  state::UserRecord Restore(std::size_t i) const;
};

class StoredUsers {
 public:
  // One stored user as set-up reads it; views valid while the StoredUsers lives.
  struct User {
    std::string_view primary;
    std::string_view salesforce_user_id;
    const KeptUserFields* kept;
    bool provisioned;   // source = "provisioned"
  };

  // Every user of `tenant` in the store, one record at a time.
  static Result<StoredUsers> Read(state::Store& store, const std::string& tenant);
  // Adds one stored user (Read's visitor; tests). An id already added keeps
  // its first record. Fails only past 4 GiB of ids and addresses.
  Status Add(std::string_view id, const state::UserRecord& record);

  std::optional<User> Find(std::string_view id) const;
  std::size_t size() const { return entries_.size(); }
  // Provisioned users (crmsync serve) in full: set-up adds those the mail
  // system's directory does not list.
  const StoredUserList& provisioned() const { return provisioned_; }
  // The kept fields of each of `ids`, in order (an empty record's for a user
  // not stored; an id listed twice gets the same), with their values.
  KeptUserRecords Keep(const std::vector<std::string_view>& ids) const;

 private:
  struct Entry {
    std::uint32_t id_offset, id_size;   // into text_
    std::uint32_t primary_offset, primary_size;
    std::uint32_t salesforce_offset, salesforce_size;
    bool provisioned;
    KeptUserFields kept;
  };
  std::string_view Text(std::uint32_t offset, std::uint32_t size) const { return {text_.data() + offset, size}; }
  std::string_view IdOf(std::uint32_t entry) const { return Text(entries_[entry].id_offset, entries_[entry].id_size); }

  std::string text_;              // every user's id, primary and Salesforce id, back to back
  std::vector<Entry> entries_;
  FlatStringIndex<> by_id_;
  InternedStrings values_;
  StoredUserList provisioned_;
};

}  // namespace crmsync::engine

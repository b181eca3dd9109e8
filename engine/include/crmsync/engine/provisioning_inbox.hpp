// The provisioning inbox: how `crmsync serve` hands accepted user changes to
// the runs. A state directory has one writer at a time (its flock), so serve
// never opens the main store; it drops one file per accepted change into
// <state_dir>/inbox/, and the next run applies them in acceptance order at its
// start, before it reads any mailbox.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

struct InboxEntry {
  enum class Op { kUpsert, kDelete, kActivate } op = Op::kUpsert;
  std::string tenant;
  std::string user_id;
  std::string email;                    // upsert only, lower-case
  std::vector<std::string> aliases;     // upsert only
  std::string salesforce_user_id;       // upsert only, may be empty
  std::int64_t accepted_unix_ms = 0;
};

// <state_dir>/inbox
std::string InboxDir(const std::string& state_dir);

// Writes `entry` as one JSON file in the inbox, atomically (temp file, fsync,
// rename, fsync of the directory): a reader sees the whole entry or none.
// Names sort in acceptance order within this process (zero-padded unix ns,
// strictly increasing, then the pid). Returns the file's path. Thread-safe.
Result<std::string> WriteInboxEntry(const std::string& state_dir, const InboxEntry& entry);

// Reads one entry file; kCorruption naming the file and field when malformed.
Result<InboxEntry> ReadInboxEntry(const std::string& path);

struct InboxSummary {
  std::size_t upserted = 0;
  std::size_t disabled = 0;     // deletes applied to a known user
  std::size_t unknown_deletes = 0;   // deletes of a user the state never had (nothing to do)
  std::size_t rejected = 0;     // moved to inbox/rejected/
  std::size_t activated = 0;    // first logons recorded
};

// Applies every entry of the inbox in name order to `store` (users family):
// an upsert becomes a "provisioned" user, "active" — or "pending" ("awaiting
// first logon") when the tenant's activation is first_logon and the user was
// never activated — keeping the counters of an existing record; a delete
// marks the user "disabled" ("deprovisioned"). Each file is removed after its
// PutUsers, so a crash in between re-applies it, which changes nothing. An
// entry that cannot be read or names an unknown tenant is moved to
// inbox/rejected/ with a NAME.reason file beside it. A missing inbox is empty.
// Fails only when the store or the inbox directory fails (kIo).
Result<InboxSummary> ApplyInbox(const Config& config, state::Store& store, const std::string& state_dir);

// "upsert" | "delete" | "activate": the op as written in an entry and answered by the API.
const char* OpName(InboxEntry::Op op);

// Records the first logon of `user` (its mail-system id, primary address or
// any alias): activated = true; such a user turns active at the next run of a
// first_logon tenant. False when the tenant has no such user (yet).
Result<bool> RecordFirstLogon(state::Store& store, const std::string& tenant, const std::string& user);

}  // namespace crmsync::engine

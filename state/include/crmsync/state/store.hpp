// The RocksDB state of one crmsync state directory (DESIGN.md, "State").
// One column family per concern; the checkpoint of a batch (ledger entries,
// cursors, quarantine entries, directory entries) lands in one atomic
// WriteBatch. Thread-safe: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::state {

struct StreamId {
  std::string tenant;
  std::string user;     // connector's stable user id
  std::string stream;   // "mail/inbox", "mail/sentitems", ...
};

struct Cursor {
  std::string position;         // opaque to state: deltaLink / nextLink / historyId
  std::int64_t updated_unix_ms = 0;
};

struct LedgerEntry {
  std::string salesforce_id;
  std::string sobject;          // "Task"
  std::string first_seen_user;
  std::int64_t written_unix_ms = 0;
};

struct DirectoryEntry {
  std::string sobject;          // "Contact", "Lead", "User", or "" = no match
  std::string salesforce_id;    // "" when no match
  std::int64_t fetched_unix_ms = 0;
};

struct QuarantineEntry {
  std::string error_code;       // Salesforce errorCode / statusCode
  std::string message;
  std::uint32_t attempts = 0;
  std::string user;
  std::int64_t updated_unix_ms = 0;
  // The record as the engine would send it again (opaque to state; see
  // engine/src/quarantine_record.hpp), so `crmsync retry --quarantined`
  // needs no mailbox. "" for entries written before it was kept.
  std::string record = {};
};

// One mailbox user of a tenant as the state remembers it (users family).
struct UserRecord {
  std::string status;           // "active" | "pending" | "suspended" | "disabled"
  std::string reason;           // why, when not active ("" when active)
  std::string primary;          // primary address, lower-case
  std::vector<std::string> aliases;
  std::string salesforce_user_id;
  std::string source;           // "directory" | "config" | "provisioned"
  std::int64_t status_since_unix_ms = 0;   // when status last changed
  std::int64_t last_success_unix_ms = 0;   // end of the last run that read every stream of the user
  std::uint64_t captured = 0;   // records captured from this mailbox, all runs
  bool activated = false;       // first logon / own authorization recorded
};

// One connection of a tenant (its mail system, or its Salesforce org).
struct ConnectionState {
  std::string status;           // "connected" | "disconnected" | "" (never tried)
  std::string last_error;       // "" when the last attempt worked; never a secret
  std::int64_t last_error_unix_ms = 0;
  std::int64_t last_success_unix_ms = 0;
};

struct TenantState {
  ConnectionState mailbox;
  ConnectionState crm;
};

// Everything one acknowledgement changes, applied atomically by Commit().
struct CheckpointBatch {
  std::vector<std::pair<StreamId, Cursor>> cursors;
  std::vector<std::tuple<std::string /*tenant*/, std::string /*key*/, LedgerEntry>> ledger;
  std::vector<std::tuple<std::string, std::string, QuarantineEntry>> quarantine;
  std::vector<std::tuple<std::string, std::string /*key*/>> quarantine_erase;
  std::vector<std::tuple<std::string, std::string /*email*/, DirectoryEntry>> directory;
  bool empty() const {
    return cursors.empty() && ledger.empty() && quarantine.empty() &&
           quarantine_erase.empty() && directory.empty();
  }
};

// Knobs of Store::Open. Defaults suit a scheduled run.
struct StoreOptions {
  // fsync the write-ahead log on every Commit() / PutRun(). Default: false.
  // With false, a crash of the process (kill -9, OOM kill) loses nothing that
  // Commit() returned, because the WAL is written to the OS before Commit()
  // returns; a power loss or kernel crash may lose the last writes (the
  // cursors then fall back a little and the rerun's upserts change nothing).
  bool sync = false;
  // Bytes of the block cache shared by all column families. Default: 4 MiB.
  // Only the ledger's and the CRM cache's blocks enter it (what a run reads
  // more than once).
  std::size_t block_cache_bytes = std::size_t{4} << 20;
  // How long Open() waits for a state directory held by another process
  // before refusing. Default: 0, refuse at once (the message names the
  // holder's pid). Polled, so a holder killed with -9 frees it too.
  std::chrono::milliseconds lock_wait{0};
};

// What RocksDB holds in memory (bytes), for memory profiles and tests.
struct StoreMemory {
  std::uint64_t block_cache = 0;      // blocks in the block cache
  std::uint64_t memtables = 0;        // active and immutable memtables, every family
  std::uint64_t table_readers = 0;    // index and filter blocks outside the cache
};

struct SealedSecret {
  std::string tenant;
  std::string kind;
  std::string sealed;
};

class Store {
 public:
  // Opens or creates the store in `dir`. A directory already held by another
  // process fails with a clear kIo status naming the directory and the
  // holder's pid ("in use by another crmsync process (pid N)") once
  // options.lock_wait has passed; it never corrupts. A `dir` that
  // is a file or cannot be created / written fails with kIo naming the path.
  // Values written by an unknown encoding version read back as kCorruption
  // naming the column family and key. Never throws.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir);
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  virtual ~Store() = default;

  virtual Result<std::optional<Cursor>> GetCursor(const StreamId& id) = 0;
  // All cursors of a tenant, for status and tests.
  virtual Result<std::vector<std::pair<StreamId, Cursor>>> ListCursors(const std::string& tenant) = 0;

  virtual Result<std::optional<LedgerEntry>> GetLedger(const std::string& tenant, const std::string& key) = 0;
  // Same order as `keys`; nullopt where absent. One MultiGet.
  virtual Result<std::vector<std::optional<LedgerEntry>>> GetLedgerMany(
      const std::string& tenant, const std::vector<std::string>& keys) = 0;
  virtual Result<std::uint64_t> CountLedger(const std::string& tenant) = 0;

  virtual Result<std::optional<DirectoryEntry>> GetDirectory(const std::string& tenant,
                                                             const std::string& email) = 0;
  virtual Result<std::vector<std::optional<DirectoryEntry>>> GetDirectoryMany(
      const std::string& tenant, const std::vector<std::string>& emails) = 0;

  virtual Result<std::vector<std::pair<std::string, QuarantineEntry>>> ListQuarantine(
      const std::string& tenant) = 0;

  // Applies every put and erase of `batch` in one atomic write: after a crash
  // either all of it is visible or none. Quarantine erases apply after the
  // quarantine puts (a key in both ends erased). An empty batch is a no-op.
  virtual Status Commit(const CheckpointBatch& batch) = 0;

  // Sealed secrets (state/secret_box.hpp), keyed by tenant and kind, e.g.
  // ("acme", "google.service_account"). The store never sees plaintext.
  // PutSecret always syncs the write-ahead log, whatever StoreOptions::sync says.
  virtual Status PutSecret(const std::string& tenant, const std::string& kind, const std::string& sealed) = 0;
  virtual Result<std::optional<std::string>> GetSecret(const std::string& tenant, const std::string& kind) = 0;
  // Every sealed secret of every tenant (a master key rotation re-seals them all).
  virtual Result<std::vector<SealedSecret>> ListSecrets() = 0;
  // Puts all of `secrets` in one atomic, synced write.
  virtual Status PutSecrets(const std::vector<SealedSecret>& secrets) = 0;

  // Users of a tenant (users family), keyed by the connector's user id.
  virtual Status PutUsers(const std::string& tenant,
                          const std::vector<std::pair<std::string, UserRecord>>& users) = 0;
  virtual Result<std::optional<UserRecord>> GetUser(const std::string& tenant, const std::string& user) = 0;
  virtual Result<std::vector<std::pair<std::string, UserRecord>>> ListUsers(const std::string& tenant) = 0;
  // The same users one at a time, none kept: summaries over 100,000 users
  // (gauges, status) must not hold them all at once. A non-ok Status from
  // `visit` stops the scan and is returned.
  virtual Status ForEachUser(const std::string& tenant,
                             const std::function<Status(const std::string& id, const UserRecord& user)>& visit) = 0;
  virtual Status DeleteUser(const std::string& tenant, const std::string& user) = 0;

  // The two connections of a tenant; a tenant never seen reads as empty.
  virtual Status PutTenantState(const std::string& tenant, const TenantState& state) = 0;
  virtual Result<TenantState> GetTenantState(const std::string& tenant) = 0;

  // Replay protection (nonce family). Claims `nonce` for `tenant` until
  // `expires_unix_ms`: true when it was free (or its earlier claim had
  // expired by `now_unix_ms`), false when it is still claimed. Atomic across
  // threads of this process (the directory lock keeps other processes out).
  virtual Result<bool> ClaimNonce(const std::string& tenant, const std::string& nonce,
                                  std::int64_t expires_unix_ms, std::int64_t now_unix_ms) = 0;
  // Deletes claims that expired before `now_unix_ms`; returns how many.
  virtual Result<std::size_t> PurgeNonces(std::int64_t now_unix_ms) = 0;

  // The run report, JSON text, keyed by run id.
  virtual Status PutRun(const std::string& run_id, const std::string& report_json) = 0;
  virtual Result<std::optional<std::string>> GetRun(const std::string& run_id) = 0;
  // Most recent run ids first (run ids sort by time: byte-wise order of the
  // id, so ids must be fixed-width where they matter, like
  // 20261123T221500Z-<pid>-<n>). At most `limit` ids; 0 gives none.
  virtual Result<std::vector<std::string>> ListRuns(std::size_t limit) = 0;
  // Deletes all but the `keep` most recent runs; returns how many it deleted.
  virtual Result<std::size_t> PruneRuns(std::size_t keep) = 0;

  // RocksDB's own memory now (its properties; zero where one is unknown).
  virtual StoreMemory Memory() = 0;
};

}  // namespace crmsync::state

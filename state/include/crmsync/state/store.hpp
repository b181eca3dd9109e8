// The RocksDB state of one crmsync state directory (DESIGN.md, "State").
// One column family per concern; the checkpoint of a batch (ledger entries,
// cursors, quarantine entries, directory entries) lands in one atomic
// WriteBatch. Thread-safe: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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
  // Bytes of the block cache shared by all column families. Default: 8 MiB.
  std::size_t block_cache_bytes = std::size_t{8} << 20;
};

class Store {
 public:
  // Opens or creates the store in `dir`. A directory already held by another
  // process fails with a clear kIo status naming the directory ("in use by
  // another crmsync process"); it never waits and never corrupts. A `dir` that
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
  virtual Status PutSecret(const std::string& tenant, const std::string& kind, const std::string& sealed) = 0;
  virtual Result<std::optional<std::string>> GetSecret(const std::string& tenant, const std::string& kind) = 0;

  // The run report, JSON text, keyed by run id.
  virtual Status PutRun(const std::string& run_id, const std::string& report_json) = 0;
  virtual Result<std::optional<std::string>> GetRun(const std::string& run_id) = 0;
  // Most recent run ids first (run ids sort by time: byte-wise order of the
  // id, so ids must be fixed-width where they matter, like
  // 20261123T221500Z-<pid>-<n>). At most `limit` ids; 0 gives none.
  virtual Result<std::vector<std::string>> ListRuns(std::size_t limit) = 0;
};

}  // namespace crmsync::state

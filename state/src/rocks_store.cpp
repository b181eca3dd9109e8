// The RocksDB-backed Store. Durability model: the WAL is always on and
// WriteOptions::sync follows StoreOptions::sync (default false), so a process
// crash loses nothing that a write returned; only a machine crash may lose the
// last writes. Atomicity comes from one WriteBatch per Commit().
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <mutex>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "crmsync/core/crash_point.hpp"
#include "crmsync/state/store.hpp"
#include "key_codec.hpp"
#include "value_codec.hpp"

namespace crmsync::state {
namespace {

using internal::DescribeKey;
using internal::EncodeKey;
using internal::TenantPrefix;

enum Family : std::size_t {
  kCursorFamily,
  kLedgerFamily,
  kDirectoryFamily,
  kUsersFamily,
  kSecretsFamily,
  kNonceFamily,
  kQuarantineFamily,
  kRunsFamily,
  kFamilyCount,
};

// Order matches Family. Names are on disk: never rename one.
constexpr std::array<const char*, kFamilyCount> kFamilyNames = {
    "cursor", "ledger", "directory", "users", "secrets", "nonce", "quarantine", "runs",
};

// crmsync's own lock, taken before RocksDB sees the directory: a refused
// second opener must not touch the holder's files (RocksDB rotates the info
// LOG before it checks its own LOCK).
constexpr const char* kLockFileName = "crmsync.lock";
constexpr int kMaxOpenFiles = 256;
constexpr std::size_t kKeepLogFiles = 3;
constexpr std::size_t kMaxInfoLogBytes = std::size_t{1} << 20;
// Memtables are the one RocksDB memory that grows with what a run writes
// (a cursor per stream, a ledger entry per record): per family and 16 MiB in
// all bounds it. Only the ledger's lookups (one per message read) profit
// from a large memtable (4 MiB: measured with no CPU cost on a
// 300,000-message full sync); the other families are written once per page
// or per user and read once per stream, so 1 MiB each: an idle run of
// 10,000 users (a cursor and a user record each) flushes instead of holding
// ~5 MiB.
constexpr std::size_t kLedgerWriteBufferBytes = std::size_t{4} << 20;
constexpr std::size_t kWriteBufferBytes = std::size_t{1} << 20;
constexpr std::size_t kTotalWriteBufferBytes = std::size_t{16} << 20;
constexpr double kBloomBitsPerKey = 10;  // most ledger lookups are misses
constexpr double kMemtableBloomRatio = 0.05;   // of the ledger's write buffer: 200 KiB

// kCorruption for corrupt data, kIo for everything else the store can hit.
Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string message = fmt::format("state {}: {}", what, s.ToString());
  if (s.IsCorruption()) return Status::Corruption(std::move(message));
  return Status::Io(std::move(message));
}

Status CorruptValue(Family family, std::string_view key, const Status& reason) {
  return Status::Corruption(fmt::format("state: corrupt value in column family {} for key {}: {}",
                                        kFamilyNames[family], DescribeKey(key), reason.message()));
}

bool IsLockConflict(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  std::string_view m = s.getState() ? s.getState() : "";
  // fs_posix.cc: "While lock file" when another process holds the fcntl lock,
  // "lock hold by current process" when this process already opened the dir.
  return m.find("While lock file") != std::string_view::npos ||
         m.find("lock hold by current process") != std::string_view::npos;
}

// The smallest key greater than every key starting with `prefix`; empty when
// there is none (all 0xff), meaning "no upper bound".
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last != 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// An flock(2) on <dir>/crmsync.lock, released when destroyed (or by the
// kernel when the process dies, kill -9 included). flock, unlike fcntl
// locks, also refuses a second open from the same process, and closing
// another descriptor of the file does not drop it. O_CLOEXEC: an exec'ed
// child does not inherit the lock.
constexpr auto kLockPoll = std::chrono::milliseconds(100);

// The holder's pid as written in the lock file; "" when unreadable.
std::string ReadHolder(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return {};
  std::string text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return {};
  return text;
}

class DirLock {
 public:
  DirLock() = default;
  explicit DirLock(int fd) : fd_(fd) {}
  DirLock(DirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirLock& operator=(DirLock&&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Polls (rather than a blocking flock) so that the wait is bounded. The
  // holder writes its pid into the file, for the refusal message only: the
  // flock, not the pid, is the lock.
  static Result<DirLock> Acquire(const std::string& dir, std::chrono::milliseconds wait) {
    const std::string path = fmt::format("{}/{}", dir, kLockFileName);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Io(fmt::format("cannot open lock file {}: {}", path, ErrnoText(errno)));
    DirLock lock(fd);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err != EWOULDBLOCK) return Status::Io(fmt::format("cannot lock {}: {}", path, ErrnoText(err)));
      if (std::chrono::steady_clock::now() >= deadline) {
        const std::string holder = ReadHolder(fd);
        return Status::Io(fmt::format(
            "state directory {} is in use by another crmsync process ({}{} is locked){}", dir,
            holder.empty() ? "" : fmt::format("pid {}: ", holder), path,
            wait.count() > 0 ? fmt::format("; waited {} s", wait.count() / 1000.0) : std::string()));
      }
      std::this_thread::sleep_for(kLockPoll);
    }
    const std::string pid = fmt::format("{}\n", ::getpid());
    // Best effort: a failure only costs a refused second opener the pid in its message.
    const bool written =
        ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    static_cast<void>(written);
    return lock;
  }

 private:
  int fd_ = -1;
};

// Converts an escaping exception (allocation, fmt) into a Status so that no
// exception leaves a public method.
template <class F>
auto Guarded(std::string_view what, F&& f) -> decltype(f()) {
  // By default RocksDB counts every key comparison into a thread-local perf
  // context that crmsync never reads: a TLS lookup per comparison of the
  // memtable's skip list, ~2 % of a full sync's instructions (callgrind).
  // Off for the calling thread, which is every thread that reaches the store.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  try {
    return f();
  } catch (const std::exception& e) {
    return Status::Io(fmt::format("state {}: {}", what, e.what()));
  }
}

class RocksStore final : public Store {
 public:
  RocksStore(DirLock lock, std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             const StoreOptions& options)
      : lock_(std::move(lock)), db_(std::move(db)), handles_(std::move(handles)) {
    write_options_.sync = options.sync;
    write_options_.disableWAL = false;
  }

  ~RocksStore() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }

  Result<std::optional<Cursor>> GetCursor(const StreamId& id) override {
    return Guarded("get cursor", [&] {
      return GetOne(kCursorFamily, EncodeKey({id.tenant, id.user, id.stream}), internal::DecodeCursor);
    });
  }

  Result<std::vector<std::pair<StreamId, Cursor>>> ListCursors(const std::string& tenant) override {
    return Guarded("list cursors", [&]() -> Result<std::vector<std::pair<StreamId, Cursor>>> {
      std::vector<std::pair<StreamId, Cursor>> out;
      Status s = ScanTenant(kCursorFamily, tenant, [&](std::string_view key, std::string_view value) {
        auto parts = internal::DecodeKey(key);
        if (!parts || parts->size() != 3) {
          return Status::Corruption(fmt::format("state: malformed key {} in column family cursor",
                                                DescribeKey(key)));
        }
        auto cursor = internal::DecodeCursor(value);
        if (!cursor.ok()) return CorruptValue(kCursorFamily, key, cursor.status());
        out.emplace_back(StreamId{std::move((*parts)[0]), std::move((*parts)[1]), std::move((*parts)[2])},
                         std::move(cursor).value());
        return Status::Ok();
      });
      if (!s.ok()) return s;
      return out;
    });
  }

  Result<std::optional<LedgerEntry>> GetLedger(const std::string& tenant, const std::string& key) override {
    return Guarded("get ledger",
                   [&] { return GetOne(kLedgerFamily, EncodeKey({tenant, key}), internal::DecodeLedger); });
  }

  Result<std::vector<std::optional<LedgerEntry>>> GetLedgerMany(
      const std::string& tenant, const std::vector<std::string>& keys) override {
    return Guarded("get ledger", [&] { return GetMany(kLedgerFamily, tenant, keys, internal::DecodeLedger); });
  }

  Result<std::uint64_t> CountLedger(const std::string& tenant) override {
    return Guarded("count ledger", [&]() -> Result<std::uint64_t> {
      std::uint64_t count = 0;
      Status s = ScanTenant(kLedgerFamily, tenant, [&](std::string_view, std::string_view) {
        ++count;
        return Status::Ok();
      });
      if (!s.ok()) return s;
      return count;
    });
  }

  Result<std::optional<DirectoryEntry>> GetDirectory(const std::string& tenant,
                                                     const std::string& email) override {
    return Guarded("get directory", [&] {
      return GetOne(kDirectoryFamily, EncodeKey({tenant, email}), internal::DecodeDirectory);
    });
  }

  Result<std::vector<std::optional<DirectoryEntry>>> GetDirectoryMany(
      const std::string& tenant, const std::vector<std::string>& emails) override {
    return Guarded("get directory",
                   [&] { return GetMany(kDirectoryFamily, tenant, emails, internal::DecodeDirectory); });
  }

  Result<std::vector<std::pair<std::string, QuarantineEntry>>> ListQuarantine(
      const std::string& tenant) override {
    return Guarded("list quarantine", [&]() -> Result<std::vector<std::pair<std::string, QuarantineEntry>>> {
      std::vector<std::pair<std::string, QuarantineEntry>> out;
      Status s = ScanTenant(kQuarantineFamily, tenant, [&](std::string_view key, std::string_view value) {
        auto parts = internal::DecodeKey(key);
        if (!parts || parts->size() != 2) {
          return Status::Corruption(fmt::format("state: malformed key {} in column family quarantine",
                                                DescribeKey(key)));
        }
        auto entry = internal::DecodeQuarantine(value);
        if (!entry.ok()) return CorruptValue(kQuarantineFamily, key, entry.status());
        out.emplace_back(std::move((*parts)[1]), std::move(entry).value());
        return Status::Ok();
      });
      if (!s.ok()) return s;
      return out;
    });
  }

  Status Commit(const CheckpointBatch& batch) override {
    return Guarded("commit", [&]() -> Status {
      if (batch.empty()) return Status::Ok();
      rocksdb::WriteBatch wb;
      rocksdb::Status s;
      for (const auto& [id, cursor] : batch.cursors) {
        s = wb.Put(handles_[kCursorFamily], EncodeKey({id.tenant, id.user, id.stream}),
                   internal::EncodeCursor(cursor));
        if (!s.ok()) return FromRocks(s, "commit: batch cursor");
      }
      for (const auto& [tenant, key, entry] : batch.ledger) {
        s = wb.Put(handles_[kLedgerFamily], EncodeKey({tenant, key}), internal::EncodeLedger(entry));
        if (!s.ok()) return FromRocks(s, "commit: batch ledger");
      }
      for (const auto& [tenant, email, entry] : batch.directory) {
        s = wb.Put(handles_[kDirectoryFamily], EncodeKey({tenant, email}), internal::EncodeDirectory(entry));
        if (!s.ok()) return FromRocks(s, "commit: batch directory");
      }
      for (const auto& [tenant, key, entry] : batch.quarantine) {
        s = wb.Put(handles_[kQuarantineFamily], EncodeKey({tenant, key}), internal::EncodeQuarantine(entry));
        if (!s.ok()) return FromRocks(s, "commit: batch quarantine");
      }
      // After the puts: a key both quarantined and erased in one batch ends
      // up erased (the later operation in a WriteBatch wins).
      for (const auto& [tenant, key] : batch.quarantine_erase) {
        s = wb.Delete(handles_[kQuarantineFamily], EncodeKey({tenant, key}));
        if (!s.ok()) return FromRocks(s, "commit: batch quarantine erase");
      }
      CRMSYNC_CRASH_POINT("checkpoint_before_write");
      s = db_->Write(write_options_, &wb);
      if (!s.ok()) return FromRocks(s, "commit: write of the checkpoint batch");
      CRMSYNC_CRASH_POINT("checkpoint_after_write");
      return Status::Ok();
    });
  }

  Status PutSecret(const std::string& tenant, const std::string& kind, const std::string& sealed) override {
    return Guarded("put secret", [&]() -> Status {
      // Always synced: a rotated refresh token lost in a machine crash would
      // lose the grant itself (the old token is already void).
      rocksdb::WriteOptions durable = write_options_;
      durable.sync = true;
      auto s = db_->Put(durable, handles_[kSecretsFamily], EncodeKey({tenant, kind}),
                        internal::EncodeSecret(sealed));
      if (!s.ok()) return FromRocks(s, fmt::format("put secret {:?} of tenant {:?}", kind, tenant));
      return Status::Ok();
    });
  }

  Result<std::optional<std::string>> GetSecret(const std::string& tenant, const std::string& kind) override {
    return Guarded("get secret", [&] {
      return GetOne(kSecretsFamily, EncodeKey({tenant, kind}), internal::DecodeSecret);
    });
  }

  Result<std::vector<SealedSecret>> ListSecrets() override {
    return Guarded("list secrets", [&]() -> Result<std::vector<SealedSecret>> {
      std::vector<SealedSecret> out;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kSecretsFamily]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto parts = internal::DecodeKey(it->key().ToStringView());
        if (!parts || parts->size() != 2) {
          return Status::Corruption(
              fmt::format("state: malformed key {} in column family secrets", DescribeKey(it->key().ToStringView())));
        }
        auto sealed = internal::DecodeSecret(it->value().ToStringView());
        if (!sealed.ok()) return CorruptValue(kSecretsFamily, it->key().ToStringView(), sealed.status());
        out.push_back(SealedSecret{std::move((*parts)[0]), std::move((*parts)[1]), std::move(sealed).value()});
      }
      if (!it->status().ok()) return FromRocks(it->status(), "scan of column family secrets");
      return out;
    });
  }

  Status PutSecrets(const std::vector<SealedSecret>& secrets) override {
    return Guarded("put secrets", [&]() -> Status {
      if (secrets.empty()) return Status::Ok();
      rocksdb::WriteBatch wb;
      for (const auto& secret : secrets) {
        auto s = wb.Put(handles_[kSecretsFamily], EncodeKey({secret.tenant, secret.kind}),
                        internal::EncodeSecret(secret.sealed));
        if (!s.ok()) return FromRocks(s, "put secrets: batch");
      }
      rocksdb::WriteOptions durable = write_options_;
      durable.sync = true;
      auto s = db_->Write(durable, &wb);
      if (!s.ok()) return FromRocks(s, fmt::format("put {} secrets", secrets.size()));
      return Status::Ok();
    });
  }

  Status PutUsers(const std::string& tenant,
                  const std::vector<std::pair<std::string, UserRecord>>& users) override {
    return Guarded("put users", [&]() -> Status {
      if (users.empty()) return Status::Ok();
      rocksdb::WriteBatch wb;
      for (const auto& [user, record] : users) {
        if (user.empty()) return Status::InvalidArgument("state put users: empty user id");
        auto s = wb.Put(handles_[kUsersFamily], EncodeKey({tenant, user}), internal::EncodeUser(record));
        if (!s.ok()) return FromRocks(s, "put users: batch");
      }
      auto s = db_->Write(write_options_, &wb);
      if (!s.ok()) return FromRocks(s, fmt::format("put users of tenant {:?}", tenant));
      return Status::Ok();
    });
  }

  Result<std::optional<UserRecord>> GetUser(const std::string& tenant, const std::string& user) override {
    return Guarded("get user", [&] { return GetOne(kUsersFamily, EncodeKey({tenant, user}), internal::DecodeUser); });
  }

  Result<std::vector<std::pair<std::string, UserRecord>>> ListUsers(const std::string& tenant) override {
    std::vector<std::pair<std::string, UserRecord>> out;
    Status s = ForEachUser(tenant, [&](const std::string& id, const UserRecord& user) {
      out.emplace_back(id, user);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Status ForEachUser(const std::string& tenant,
                     const std::function<Status(const std::string& id, const UserRecord& user)>& visit) override {
    return Guarded("list users", [&]() -> Status {
      return ScanTenant(kUsersFamily, tenant, [&](std::string_view key, std::string_view value) {
        auto parts = internal::DecodeKey(key);
        if (!parts || parts->size() != 2) {
          return Status::Corruption(fmt::format("state: malformed key {} in column family users", DescribeKey(key)));
        }
        if ((*parts)[1].empty()) return Status::Ok();   // the tenant's own connection state
        auto user = internal::DecodeUser(value);
        if (!user.ok()) return CorruptValue(kUsersFamily, key, user.status());
        return visit((*parts)[1], user.value());
      });
    });
  }

  Status DeleteUser(const std::string& tenant, const std::string& user) override {
    return Guarded("delete user", [&]() -> Status {
      auto s = db_->Delete(write_options_, handles_[kUsersFamily], EncodeKey({tenant, user}));
      if (!s.ok()) return FromRocks(s, fmt::format("delete user {:?} of tenant {:?}", user, tenant));
      return Status::Ok();
    });
  }

  // The tenant's connection state lives in the users family under the
  // empty user id, which no mail system gives a user.
  Status PutTenantState(const std::string& tenant, const TenantState& state) override {
    return Guarded("put tenant state", [&]() -> Status {
      auto s = db_->Put(write_options_, handles_[kUsersFamily], EncodeKey({tenant, ""}),
                        internal::EncodeTenantState(state));
      if (!s.ok()) return FromRocks(s, fmt::format("put connection state of tenant {:?}", tenant));
      return Status::Ok();
    });
  }

  Result<TenantState> GetTenantState(const std::string& tenant) override {
    return Guarded("get tenant state", [&]() -> Result<TenantState> {
      auto state = GetOne(kUsersFamily, EncodeKey({tenant, ""}), internal::DecodeTenantState);
      if (!state.ok()) return state.status();
      return state.value().value_or(TenantState{});
    });
  }

  Result<bool> ClaimNonce(const std::string& tenant, const std::string& nonce, std::int64_t expires_unix_ms,
                          std::int64_t now_unix_ms) override {
    return Guarded("claim nonce", [&]() -> Result<bool> {
      if (nonce.empty()) return Status::InvalidArgument("state claim nonce: empty nonce");
      const std::string key = EncodeKey({tenant, nonce});
      // Read-then-write must not interleave between threads.
      std::lock_guard lock(nonce_mutex_);
      auto existing = GetOne(kNonceFamily, key, internal::DecodeNonce);
      if (!existing.ok()) return existing.status();
      if (existing.value() && *existing.value() >= now_unix_ms) return false;
      // Claims must survive a crash: a replay after a restart is refused.
      rocksdb::WriteOptions durable = write_options_;
      durable.sync = true;
      auto s = db_->Put(durable, handles_[kNonceFamily], key, internal::EncodeNonce(expires_unix_ms));
      if (!s.ok()) return FromRocks(s, fmt::format("claim nonce of tenant {:?}", tenant));
      return true;
    });
  }

  Result<std::size_t> PurgeNonces(std::int64_t now_unix_ms) override {
    return Guarded("purge nonces", [&]() -> Result<std::size_t> {
      std::lock_guard lock(nonce_mutex_);
      rocksdb::WriteBatch wb;
      std::size_t purged = 0;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kNonceFamily]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto expires = internal::DecodeNonce(it->value().ToStringView());
        // A corrupt claim is dropped too: keeping it would refuse that nonce forever.
        if (expires.ok() && expires.value() >= now_unix_ms) continue;
        auto s = wb.Delete(handles_[kNonceFamily], it->key());
        if (!s.ok()) return FromRocks(s, "purge nonces: batch");
        ++purged;
      }
      if (!it->status().ok()) return FromRocks(it->status(), "purge nonces: iterate column family nonce");
      if (purged == 0) return purged;
      auto s = db_->Write(write_options_, &wb);
      if (!s.ok()) return FromRocks(s, "purge nonces: write");
      return purged;
    });
  }

  Status PutRun(const std::string& run_id, const std::string& report_json) override {
    return Guarded("put run", [&]() -> Status {
      if (run_id.empty()) return Status::InvalidArgument("state put run: empty run id");
      auto s = db_->Put(write_options_, handles_[kRunsFamily], run_id, internal::EncodeRun(report_json));
      if (!s.ok()) return FromRocks(s, fmt::format("put run {:?} in column family runs", run_id));
      return Status::Ok();
    });
  }

  Result<std::optional<std::string>> GetRun(const std::string& run_id) override {
    return Guarded("get run", [&] { return GetOne(kRunsFamily, run_id, internal::DecodeRun); });
  }

  Result<std::vector<std::string>> ListRuns(std::size_t limit) override {
    return Guarded("list runs", [&]() -> Result<std::vector<std::string>> {
      std::vector<std::string> out;
      if (limit == 0) return out;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kRunsFamily]));
      for (it->SeekToLast(); it->Valid() && out.size() < limit; it->Prev()) {
        out.emplace_back(it->key().ToStringView());
      }
      if (!it->status().ok()) return FromRocks(it->status(), "list runs: iterate column family runs");
      return out;
    });
  }

  Result<std::size_t> PruneRuns(std::size_t keep) override {
    return Guarded("prune runs", [&]() -> Result<std::size_t> {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kRunsFamily]));
      std::size_t seen = 0;
      rocksdb::WriteBatch wb;
      std::size_t deleted = 0;
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        if (++seen <= keep) continue;
        wb.Delete(handles_[kRunsFamily], it->key());
        ++deleted;
      }
      if (!it->status().ok()) return FromRocks(it->status(), "prune runs: iterate column family runs");
      if (deleted == 0) return deleted;
      auto s = db_->Write(write_options_, &wb);
      if (!s.ok()) return FromRocks(s, "prune runs: write");
      return deleted;
    });
  }

  StoreMemory Memory() override {
    StoreMemory memory;
    const auto property = [this](const std::string& name) {
      std::uint64_t value = 0;
      return db_->GetAggregatedIntProperty(name, &value) ? value : 0;
    };
    // One cache shared by every family: read it once, not summed.
    if (!db_->GetIntProperty(handles_[kCursorFamily], rocksdb::DB::Properties::kBlockCacheUsage,
                             &memory.block_cache)) {
      memory.block_cache = 0;
    }
    memory.memtables = property(rocksdb::DB::Properties::kCurSizeAllMemTables);
    memory.table_readers = property(rocksdb::DB::Properties::kEstimateTableReadersMem);
    return memory;
  }

 private:
  // Only the ledger and the CRM cache are read again within a run (a
  // Message-ID seen in several mailboxes, an address in many messages);
  // cursors, user records and the rest are read once per run, and caching
  // their blocks only grew the cache with the number of users.
  static rocksdb::ReadOptions ReadOptionsFor(Family family) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = family == kLedgerFamily || family == kDirectoryFamily;
    return ro;
  }

  // Point lookup; nullopt when absent.
  template <class T>
  Result<std::optional<T>> GetOne(Family family, const std::string& key,
                                      Result<T> (*decode)(std::string_view)) {
    rocksdb::PinnableSlice value;
    auto s = db_->Get(ReadOptionsFor(family), handles_[family], key, &value);
    if (s.IsNotFound()) return std::optional<T>();
    if (!s.ok()) {
      return FromRocks(s, fmt::format("get of key {} in column family {}", DescribeKey(key),
                                      kFamilyNames[family]));
    }
    auto decoded = decode(value.ToStringView());
    if (!decoded.ok()) return CorruptValue(family, key, decoded.status());
    return std::optional<T>(std::move(decoded).value());
  }

  // One batched MultiGet; results in the order of `keys`.
  template <class T>
  Result<std::vector<std::optional<T>>> GetMany(Family family, const std::string& tenant,
                                                    const std::vector<std::string>& keys,
                                                    Result<T> (*decode)(std::string_view)) {
    std::vector<std::optional<T>> out(keys.size());
    if (keys.empty()) return out;
    std::vector<std::string> encoded;
    encoded.reserve(keys.size());
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (const auto& k : keys) {
      encoded.push_back(EncodeKey({tenant, k}));
      slices.emplace_back(encoded.back());
    }
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(ReadOptionsFor(family), handles_[family], keys.size(), slices.data(), values.data(),
                  statuses.data());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) {
        return FromRocks(statuses[i], fmt::format("multi-get of key {} in column family {}",
                                                  DescribeKey(encoded[i]), kFamilyNames[family]));
      }
      auto decoded = decode(values[i].ToStringView());
      if (!decoded.ok()) return CorruptValue(family, encoded[i], decoded.status());
      out[i] = std::move(decoded).value();
    }
    return out;
  }

  // Calls `visit(key, value)` for every key of `tenant` in `family`, in key
  // order, stopping at the first non-ok Status it returns.
  template <class Visit>
  Status ScanTenant(Family family, const std::string& tenant, Visit&& visit) {
    const std::string prefix = TenantPrefix(tenant);
    const std::string upper = PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = ReadOptionsFor(family);
    if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[family]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      Status s = visit(it->key().ToStringView(), it->value().ToStringView());
      if (!s.ok()) return s;
    }
    if (!it->status().ok()) {
      return FromRocks(it->status(), fmt::format("scan of tenant {:?} in column family {}", tenant,
                                                 kFamilyNames[family]));
    }
    return Status::Ok();
  }

  DirLock lock_;  // first member: released only after the database is closed
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Family
  rocksdb::WriteOptions write_options_;
  std::mutex nonce_mutex_;
};

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir) { return Open(dir, StoreOptions{}); }

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  return Guarded("open", [&]() -> Result<std::unique_ptr<Store>> {
    namespace fs = std::filesystem;
    if (dir.empty()) return Status::InvalidArgument("state directory path is empty");
    std::error_code ec;
    auto st = fs::status(dir, ec);
    if (fs::exists(st) && !fs::is_directory(st)) {
      return Status::Io(fmt::format("state directory {} exists and is not a directory", dir));
    }
    fs::create_directories(dir, ec);
    if (ec) return Status::Io(fmt::format("cannot create state directory {}: {}", dir, ec.message()));
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      return Status::Io(fmt::format("state directory {} is not writable: {}", dir, ErrnoText(errno)));
    }
    auto lock = DirLock::Acquire(dir, options.lock_wait);
    if (!lock.ok()) return lock.status();

    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    // Set explicitly: Debian's headers default to DEBUG without NDEBUG.
    db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
    db_options.keep_log_file_num = kKeepLogFiles;
    db_options.max_log_file_size = kMaxInfoLogBytes;
    db_options.max_open_files = kMaxOpenFiles;
    db_options.db_write_buffer_size = kTotalWriteBufferBytes;

    rocksdb::BlockBasedTableOptions table_options;
    table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
    table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.write_buffer_size = kWriteBufferBytes;
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

    // Snappy on every flush and compaction was ~2 % of a full sync's CPU,
    // for values of a few dozen bytes (ids, times, cursors) behind keys that
    // are mostly Message-IDs and addresses, which compress little: only the
    // run reports (JSON, kilobytes, rarely written) stay compressed.
    cf_options.compression = rocksdb::kNoCompression;

    // Most ledger lookups are misses (mail not captured yet), and those of a
    // running sync hit the memtable: a bloom filter there answers them
    // without a skiplist search (that search was 9 % of a full sync's CPU).
    rocksdb::ColumnFamilyOptions ledger_options = cf_options;
    ledger_options.write_buffer_size = kLedgerWriteBufferBytes;
    ledger_options.memtable_prefix_bloom_size_ratio = kMemtableBloomRatio;
    ledger_options.memtable_whole_key_filtering = true;

    rocksdb::ColumnFamilyOptions runs_options = cf_options;
    runs_options.compression = rocksdb::kSnappyCompression;

    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (std::size_t f = 0; f < kFamilyCount; ++f) {
      descriptors.emplace_back(kFamilyNames[f], f == kLedgerFamily ? ledger_options
                                                : f == kRunsFamily ? runs_options
                                                                   : cf_options);
    }
    // RocksDB always has a default family; crmsync keeps nothing in it.
    descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);

    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
    if (!s.ok()) {
      if (IsLockConflict(s)) {
        return Status::Io(fmt::format("state directory {} is in use by another crmsync process ({})", dir,
                                      s.ToString()));
      }
      return FromRocks(s, fmt::format("open of state directory {}", dir));
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    // crmsync never uses the default family: drop its handle now.
    raw->DestroyColumnFamilyHandle(handles.back()).PermitUncheckedError();
    handles.pop_back();
    return std::unique_ptr<Store>(std::make_unique<RocksStore>(std::move(lock).value(), std::move(db), std::move(handles), options));
  });
}

}  // namespace crmsync::state

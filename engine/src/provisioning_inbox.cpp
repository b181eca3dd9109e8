// The provisioning inbox: serve writes one file per accepted change, the run
// applies them (provisioning_inbox.hpp says why).
#include "crmsync/engine/provisioning_inbox.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "crmsync/json/escape.hpp"
#include "crmsync/json/readers.hpp"

namespace crmsync::engine {
namespace {

namespace fs = std::filesystem;
namespace od = json::od;

constexpr int kEntryVersion = 1;
constexpr std::uintmax_t kMaxEntryBytes = 1 << 20;
constexpr std::string_view kRejectedDir = "rejected";

std::string Errno(const std::string& what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, std::strerror(errno));
}

// Strictly increasing within the process, so names keep acceptance order
// even when two requests are accepted in the same nanosecond.
std::int64_t NextSequenceNs() {
  static std::mutex mutex;
  static std::int64_t last = 0;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const std::int64_t now = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  std::lock_guard lock(mutex);
  last = std::max(last + 1, now);
  return last;
}

std::string EncodeEntry(const InboxEntry& e) {
  std::string aliases;
  for (const auto& alias : e.aliases) {
    if (!aliases.empty()) aliases += ',';
    json::AppendJsonString(aliases, alias);
  }
  return fmt::format(
      R"({{"version":{},"op":"{}","tenant":{},"user_id":{},"email":{},"aliases":[{}],"salesforce_user_id":{},"accepted_unix_ms":{}}})"
      "\n",
      kEntryVersion, OpName(e.op), json::JsonQuote(e.tenant),
      json::JsonQuote(e.user_id), json::JsonQuote(e.email), aliases, json::JsonQuote(e.salesforce_user_id),
      e.accepted_unix_ms);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Io(Errno("write inbox entry", path));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Io(Errno("open inbox directory", dir));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Io(Errno("fsync inbox directory", dir));
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status::Io(fmt::format("inbox entry {}: {}", path, ec.message()));
  if (size > kMaxEntryBytes) {
    return Status::Corruption(fmt::format("inbox entry {}: {} bytes exceeds {}", path, size, kMaxEntryBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(fmt::format("inbox entry {}: cannot open", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status Reject(const std::string& inbox, const fs::path& file, const std::string& why) {
  const fs::path rejected = fs::path(inbox) / kRejectedDir;
  std::error_code ec;
  fs::create_directories(rejected, ec);
  if (ec) return Status::Io(fmt::format("inbox: cannot create {}: {}", rejected.string(), ec.message()));
  {
    std::ofstream reason(rejected / (file.filename().string() + ".reason"), std::ios::trunc);
    reason << why << "\n";
    if (!reason) return Status::Io(fmt::format("inbox: cannot write the reason for {}", file.string()));
  }
  fs::rename(file, rejected / file.filename(), ec);
  if (ec) return Status::Io(fmt::format("inbox: cannot move {} to {}: {}", file.string(), rejected.string(), ec.message()));
  return Status::Ok();
}

const TenantConfig* FindTenant(const Config& config, const std::string& id) {
  for (const auto& tenant : config.tenants) {
    if (tenant.id == id) return &tenant;
  }
  return nullptr;
}

// The record an entry leaves in the users family; `existing` keeps its
// counters and activation, and its status_since when the status stays.
state::UserRecord ApplyEntry(const TenantConfig& tenant, const InboxEntry& e,
                             const std::optional<state::UserRecord>& existing) {
  state::UserRecord record = existing.value_or(state::UserRecord{});
  std::string status;
  std::string reason;
  if (e.op == InboxEntry::Op::kUpsert) {
    record.primary = e.email;
    record.aliases = e.aliases;
    record.salesforce_user_id = e.salesforce_user_id;
    record.source = "provisioned";
    if (tenant.activation == Activation::kFirstLogon && !record.activated) {
      status = "pending";
      reason = "awaiting first logon";
    } else {
      status = "active";
    }
  } else {
    status = "disabled";
    reason = "deprovisioned";
  }
  if (!existing || record.status != status) record.status_since_unix_ms = e.accepted_unix_ms;
  record.status = std::move(status);
  record.reason = std::move(reason);
  return record;
}

}  // namespace

const char* OpName(InboxEntry::Op op) {
  switch (op) {
    case InboxEntry::Op::kUpsert: return "upsert";
    case InboxEntry::Op::kDelete: return "delete";
    case InboxEntry::Op::kActivate: return "activate";
  }
  return "upsert";
}

Result<bool> RecordFirstLogon(state::Store& store, const std::string& tenant, const std::string& user) {
  auto users = store.ListUsers(tenant);
  if (!users.ok()) return users.status();
  std::string wanted = user;
  for (char& c : wanted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& [id, record] : users.value()) {
    bool match = id == user || record.primary == wanted;
    for (const auto& alias : record.aliases) match = match || alias == wanted;
    if (!match) continue;
    record.activated = true;
    if (Status s = store.PutUsers(tenant, {{id, record}}); !s.ok()) return s;
    return true;
  }
  return false;
}

std::string InboxDir(const std::string& state_dir) { return (fs::path(state_dir) / "inbox").string(); }

Result<std::string> WriteInboxEntry(const std::string& state_dir, const InboxEntry& entry) {
  const std::string dir = InboxDir(state_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Io(fmt::format("inbox: cannot create {}: {}", dir, ec.message()));
  const std::string name = fmt::format("{:020}-{:010}.json", NextSequenceNs(), static_cast<long>(::getpid()));
  // A leading dot keeps a half-written entry out of ApplyInbox's listing.
  const std::string temp = fmt::format("{}/.tmp-{}", dir, name);
  const std::string final_path = fmt::format("{}/{}", dir, name);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io(Errno("create inbox entry", temp));
  Status s = WriteAll(fd, EncodeEntry(entry), temp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::Io(Errno("fsync inbox entry", temp));
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), final_path.c_str()) != 0) s = Status::Io(Errno("rename inbox entry", temp));
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  if (Status synced = SyncDirectory(dir); !synced.ok()) return synced;
  return final_path;
}

Result<InboxEntry> ReadInboxEntry(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  InboxEntry entry;
  std::int64_t version = 0;
  std::string op;
  Status s = json::ForEachTopLevelFieldNested(text.value(), [&](std::string_view key, od::value value) -> Status {
    if (key == "version" || key == "accepted_unix_ms") {
      std::int64_t number = 0;
      if (auto error = value.get_int64().get(number)) return json::JsonError("", error, "integer");
      (key == "version" ? version : entry.accepted_unix_ms) = number;
      return Status::Ok();
    }
    if (key == "op") return json::ReadRequiredString(value, op);
    if (key == "tenant") return json::ReadRequiredString(value, entry.tenant);
    if (key == "user_id") return json::ReadRequiredString(value, entry.user_id);
    if (key == "email") return json::ReadString(value, entry.email);
    if (key == "salesforce_user_id") return json::ReadString(value, entry.salesforce_user_id);
    if (key == "aliases") return json::ReadStringArray(value, entry.aliases);
    return Status::Corruption(": unknown field");
  });
  if (!s.ok()) return Status::Corruption(fmt::format("inbox entry {}: {}", path, s.message()));
  if (version != kEntryVersion) {
    return Status::Corruption(fmt::format("inbox entry {}: version {} is not {}", path, version, kEntryVersion));
  }
  if (op == "upsert") {
    entry.op = InboxEntry::Op::kUpsert;
  } else if (op == "delete") {
    entry.op = InboxEntry::Op::kDelete;
  } else if (op == "activate") {
    entry.op = InboxEntry::Op::kActivate;
  } else {
    return Status::Corruption(fmt::format("inbox entry {}: op \"{}\" is not upsert, delete or activate", path, op));
  }
  if (entry.tenant.empty() || entry.user_id.empty()) {
    return Status::Corruption(fmt::format("inbox entry {}: tenant and user_id are required", path));
  }
  if (entry.op == InboxEntry::Op::kUpsert && entry.email.empty()) {
    return Status::Corruption(fmt::format("inbox entry {}: email is required for an upsert", path));
  }
  return entry;
}

Result<InboxSummary> ApplyInbox(const Config& config, state::Store& store, const std::string& state_dir) {
  InboxSummary summary;
  const std::string dir = InboxDir(state_dir);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return summary;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.' || it->path().extension() != ".json") continue;
    if (!it->is_regular_file(ec)) continue;
    files.push_back(it->path());
  }
  if (ec) return Status::Io(fmt::format("inbox: cannot list {}: {}", dir, ec.message()));
  std::sort(files.begin(), files.end());

  for (const fs::path& file : files) {
    auto entry = ReadInboxEntry(file.string());
    if (!entry.ok()) {
      if (Status s = Reject(dir, file, entry.status().message()); !s.ok()) return s;
      ++summary.rejected;
      continue;
    }
    const TenantConfig* tenant = FindTenant(config, entry->tenant);
    if (tenant == nullptr) {
      if (Status s = Reject(dir, file, fmt::format("tenant \"{}\" is not in the configuration", entry->tenant));
          !s.ok()) {
        return s;
      }
      ++summary.rejected;
      continue;
    }
    if (entry->op == InboxEntry::Op::kActivate) {
      auto activated = RecordFirstLogon(store, entry->tenant, entry->user_id);
      if (!activated.ok()) return activated.status();
      if (!activated.value()) {
        const std::string reason = fmt::format("tenant \"{}\" has no user \"{}\" (by id or address) to activate",
                                               entry->tenant, entry->user_id);
        if (Status s = Reject(dir, file, reason); !s.ok()) return s;
        ++summary.rejected;
        continue;
      }
      ++summary.activated;
      fs::remove(file, ec);
      if (ec) return Status::Io(fmt::format("inbox: cannot remove applied entry {}: {}", file.string(), ec.message()));
      continue;
    }
    auto existing = store.GetUser(entry->tenant, entry->user_id);
    if (!existing.ok()) return existing.status();
    if (entry->op == InboxEntry::Op::kDelete && !existing.value()) {
      ++summary.unknown_deletes;
    } else {
      const state::UserRecord record = ApplyEntry(*tenant, entry.value(), existing.value());
      if (Status s = store.PutUsers(entry->tenant, {{entry->user_id, record}}); !s.ok()) return s;
      ++(entry->op == InboxEntry::Op::kUpsert ? summary.upserted : summary.disabled);
    }
    fs::remove(file, ec);
    if (ec) return Status::Io(fmt::format("inbox: cannot remove applied entry {}: {}", file.string(), ec.message()));
  }
  return summary;
}

}  // namespace crmsync::engine

#include "value_codec.hpp"

#include <fmt/format.h>

#include "varint.hpp"

namespace crmsync::state::internal {
namespace {

class Writer {
 public:
  Writer() { out_.push_back(static_cast<char>(kValueVersion)); }
  Writer& Str(std::string_view s) {
    PutVarint64(out_, s.size());
    out_.append(s);
    return *this;
  }
  Writer& Int(std::int64_t v) {
    PutVarint64(out_, static_cast<std::uint64_t>(v));
    return *this;
  }
  Writer& UInt(std::uint64_t v) {
    PutVarint64(out_, v);
    return *this;
  }
  Writer& Rest(std::string_view s) {
    out_.append(s);
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads fields in order; the first failure sticks and names the field.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {
    if (in_.empty()) {
      Fail("empty value");
      return;
    }
    auto version = static_cast<std::uint8_t>(in_.front());
    in_.remove_prefix(1);
    if (version != kValueVersion) {
      Fail(fmt::format("unknown encoding version {} (this build reads {})", version, kValueVersion));
    }
  }
  Reader& Str(const char* field, std::string& out) {
    if (!error_.empty()) return *this;
    auto length = GetVarint64(in_);
    if (!length || *length > in_.size()) {
      Fail(fmt::format("truncated field {}", field));
      return *this;
    }
    out.assign(in_.substr(0, *length));
    in_.remove_prefix(*length);
    return *this;
  }
  Reader& Int(const char* field, std::int64_t& out) {
    std::uint64_t v = 0;
    UInt(field, v);
    out = static_cast<std::int64_t>(v);
    return *this;
  }
  Reader& UInt(const char* field, std::uint64_t& out) {
    if (!error_.empty()) return *this;
    auto v = GetVarint64(in_);
    if (!v) {
      Fail(fmt::format("truncated field {}", field));
      return *this;
    }
    out = *v;
    return *this;
  }
  Reader& U32(const char* field, std::uint32_t& out) {
    std::uint64_t v = 0;
    UInt(field, v);
    if (error_.empty() && v > UINT32_MAX) Fail(fmt::format("field {} out of range", field));
    out = static_cast<std::uint32_t>(v);
    return *this;
  }
  // A field added at the end of a value later: absent in older values,
  // which then decode with `out` left as it was.
  Reader& OptionalStr(const char* field, std::string& out) {
    if (!error_.empty() || in_.empty()) return *this;
    return Str(field, out);
  }
  Reader& Rest(std::string& out) {
    if (!error_.empty()) return *this;
    out.assign(in_);
    in_ = {};
    return *this;
  }
  // Ok when every field decoded and nothing is left over.
  Status Finish() {
    if (error_.empty() && !in_.empty()) Fail(fmt::format("{} trailing bytes", in_.size()));
    return error_.empty() ? Status::Ok() : Status::Corruption(error_);
  }

 private:
  void Fail(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
  }
  std::string_view in_;
  std::string error_;
};

template <class T>
Result<T> Done(Reader& r, T value) {
  Status s = r.Finish();
  if (!s.ok()) return s;
  return value;
}

}  // namespace

std::string EncodeCursor(const Cursor& c) {
  return Writer().Str(c.position).Int(c.updated_unix_ms).Take();
}

std::string EncodeLedger(const LedgerEntry& e) {
  return Writer()
      .Str(e.salesforce_id)
      .Str(e.sobject)
      .Str(e.first_seen_user)
      .Int(e.written_unix_ms)
      .Take();
}

std::string EncodeDirectory(const DirectoryEntry& e) {
  return Writer().Str(e.sobject).Str(e.salesforce_id).Int(e.fetched_unix_ms).Take();
}

std::string EncodeQuarantine(const QuarantineEntry& e) {
  return Writer()
      .Str(e.error_code)
      .Str(e.message)
      .UInt(e.attempts)
      .Str(e.user)
      .Int(e.updated_unix_ms)
      .Str(e.record)
      .Take();
}

std::string EncodeUser(const UserRecord& u) {
  Writer w;
  w.Str(u.status).Str(u.reason).Str(u.primary).UInt(u.aliases.size());
  for (const auto& alias : u.aliases) w.Str(alias);
  return w.Str(u.salesforce_user_id)
      .Str(u.source)
      .Int(u.status_since_unix_ms)
      .Int(u.last_success_unix_ms)
      .UInt(u.captured)
      .UInt(u.activated ? 1 : 0)
      .Take();
}

namespace {
Writer& PutConnection(Writer& w, const ConnectionState& c) {
  return w.Str(c.status).Str(c.last_error).Int(c.last_error_unix_ms).Int(c.last_success_unix_ms);
}
Reader& GetConnection(Reader& r, ConnectionState& c) {
  return r.Str("status", c.status)
      .Str("last_error", c.last_error)
      .Int("last_error_unix_ms", c.last_error_unix_ms)
      .Int("last_success_unix_ms", c.last_success_unix_ms);
}
}  // namespace

std::string EncodeTenantState(const TenantState& state) {
  Writer w;
  PutConnection(w, state.mailbox);
  PutConnection(w, state.crm);
  return w.Take();
}

std::string EncodeNonce(std::int64_t expires_unix_ms) { return Writer().Int(expires_unix_ms).Take(); }

std::string EncodeRun(std::string_view report_json) { return Writer().Rest(report_json).Take(); }

std::string EncodeSecret(std::string_view sealed) { return Writer().Rest(sealed).Take(); }

Result<Cursor> DecodeCursor(std::string_view value) {
  Cursor c;
  Reader r(value);
  r.Str("position", c.position).Int("updated_unix_ms", c.updated_unix_ms);
  return Done(r, std::move(c));
}

Result<LedgerEntry> DecodeLedger(std::string_view value) {
  LedgerEntry e;
  Reader r(value);
  r.Str("salesforce_id", e.salesforce_id)
      .Str("sobject", e.sobject)
      .Str("first_seen_user", e.first_seen_user)
      .Int("written_unix_ms", e.written_unix_ms);
  return Done(r, std::move(e));
}

Result<DirectoryEntry> DecodeDirectory(std::string_view value) {
  DirectoryEntry e;
  Reader r(value);
  r.Str("sobject", e.sobject)
      .Str("salesforce_id", e.salesforce_id)
      .Int("fetched_unix_ms", e.fetched_unix_ms);
  return Done(r, std::move(e));
}

Result<QuarantineEntry> DecodeQuarantine(std::string_view value) {
  QuarantineEntry e;
  Reader r(value);
  r.Str("error_code", e.error_code)
      .Str("message", e.message)
      .U32("attempts", e.attempts)
      .Str("user", e.user)
      .Int("updated_unix_ms", e.updated_unix_ms)
      .OptionalStr("record", e.record);
  return Done(r, std::move(e));
}

Result<std::string> DecodeRun(std::string_view value) {
  std::string report;
  Reader r(value);
  r.Rest(report);
  return Done(r, std::move(report));
}

Result<UserRecord> DecodeUser(std::string_view value) {
  UserRecord u;
  Reader r(value);
  std::uint64_t aliases = 0;
  r.Str("status", u.status).Str("reason", u.reason).Str("primary", u.primary).UInt("aliases", aliases);
  // Each alias takes at least one byte: a larger count is corrupt, not a reason to allocate.
  if (aliases > value.size()) return Status::Corruption("alias count larger than the value");
  u.aliases.resize(aliases);
  for (auto& alias : u.aliases) r.Str("alias", alias);
  std::uint64_t activated = 0;
  r.Str("salesforce_user_id", u.salesforce_user_id)
      .Str("source", u.source)
      .Int("status_since_unix_ms", u.status_since_unix_ms)
      .Int("last_success_unix_ms", u.last_success_unix_ms)
      .UInt("captured", u.captured)
      .UInt("activated", activated);
  u.activated = activated != 0;
  return Done(r, std::move(u));
}

Result<TenantState> DecodeTenantState(std::string_view value) {
  TenantState state;
  Reader r(value);
  GetConnection(r, state.mailbox);
  GetConnection(r, state.crm);
  return Done(r, std::move(state));
}

Result<std::int64_t> DecodeNonce(std::string_view value) {
  std::int64_t expires = 0;
  Reader r(value);
  r.Int("expires_unix_ms", expires);
  return Done(r, expires);
}

Result<std::string> DecodeSecret(std::string_view value) {
  std::string sealed;
  Reader r(value);
  r.Rest(sealed);
  return Done(r, std::move(sealed));
}

}  // namespace crmsync::state::internal

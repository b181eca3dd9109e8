// Status and Result: expected failures as values (STYLE.md practice 5).
// Every layer (connectors, state, engine) reports through these; exceptions
// are reserved for programming errors and never cross a flow-graph node.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace crmsync {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // bad input or configuration; names the field at fault
  kCorruption,        // malformed payload from a remote system or the store
  kNotFound,
  kUnauthorized,      // credentials refused (invalid_client, invalid_grant, 401 after refresh)
  kThrottled,         // 429 / REQUEST_LIMIT_EXCEEDED; retry_after may be set
  kTransient,         // 5xx, reset connections, timeouts: retry later
  kPermanent,         // the remote system refused this item for good (validation, access)
  kTls,               // certificate verification or host-name mismatch
  kIo,                // local storage failure
  kGone,              // a sync cursor the remote no longer accepts (Graph 410)
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Unauthorized(std::string m) { return {StatusCode::kUnauthorized, std::move(m)}; }
  static Status Throttled(std::string m, std::chrono::milliseconds retry_after = {}) {
    Status s{StatusCode::kThrottled, std::move(m)};
    s.retry_after_ = retry_after;
    return s;
  }
  static Status Transient(std::string m) { return {StatusCode::kTransient, std::move(m)}; }
  static Status Permanent(std::string m) { return {StatusCode::kPermanent, std::move(m)}; }
  static Status Tls(std::string m) { return {StatusCode::kTls, std::move(m)}; }
  static Status Io(std::string m) { return {StatusCode::kIo, std::move(m)}; }
  static Status Gone(std::string m) { return {StatusCode::kGone, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::chrono::milliseconds retry_after() const { return retry_after_; }
  // Worth trying again later with the same input.
  bool retryable() const {
    return code_ == StatusCode::kThrottled || code_ == StatusCode::kTransient;
  }
  // "CODE: message", for reports and logs. Never contains secrets: callers
  // must not put tokens into messages.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::chrono::milliseconds retry_after_{0};
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}   // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace crmsync

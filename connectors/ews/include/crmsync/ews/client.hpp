// Asynchronous EWS SOAP client over the shared Transport: the bearer token
// (one refresh on 401), X-AnchorMailbox for the impersonated mailbox on every
// call, throttling (ErrorServerBusy with BackOffMilliseconds as a 500 SOAP
// fault or inside a 200, 503 with Retry-After), bounded retries and typed
// errors. Thread-safe; completions run on the transport thread, and the
// client must outlive every call in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::ews {

struct EwsClientOptions {
  std::string ews_url;    // https://outlook.office365.com/EWS/Exchange.asmx
  std::string ca_file;    // extra CA for this endpoint (may be empty)
  int max_attempts = 6;   // per call, throttling and transient errors
  std::chrono::milliseconds timeout{30000};
};

struct EwsClientStats {
  std::atomic<std::uint64_t> calls{0};       // successful calls
  std::atomic<std::uint64_t> requests{0};    // HTTP requests, retries included
  std::atomic<std::uint64_t> throttled{0};   // ErrorServerBusy / 503 received
};

class EwsClient {
 public:
  EwsClient(http::Transport& transport, auth::TokenProvider& tokens, EwsClientOptions options);

  // Takes a 2xx body: Ok when consumed; a retryable Status (kThrottled,
  // kTransient) to send the call again; any other Status ends the call.
  using BodyHandler = std::function<Status(std::string&& body)>;

  // POSTs `envelope` acting as `impersonated_smtp`; `done` runs exactly once
  // with the final Status: Ok after `accept` took a body, kUnauthorized (token
  // refused twice), kThrottled/kTransient after max_attempts, kTls, kGone,
  // kPermanent (other EWS errors, with their code and text).
  void Post(std::string impersonated_smtp, std::string envelope, std::string kind, BodyHandler accept,
            std::function<void(Status)> done);

  const EwsClientStats& stats() const { return stats_; }
  const EwsClientOptions& options() const { return options_; }

 private:
  struct Call;
  void Attempt(std::shared_ptr<Call> call, std::chrono::milliseconds delay);
  void OnResponse(std::shared_ptr<Call> call, const std::string& token, http::Response&& response);
  void Retry(std::shared_ptr<Call> call, Status status);

  http::Transport& transport_;
  auth::TokenProvider& tokens_;
  EwsClientOptions options_;
  EwsClientStats stats_;
};

}  // namespace crmsync::ews

// EwsClient: token, headers, retries and error mapping for one SOAP call.
#include "crmsync/ews/client.hpp"

#include <fmt/format.h>

#include "crmsync/ews/ews.hpp"
#include "crmsync/http/retry.hpp"

namespace crmsync::ews {

struct EwsClient::Call {
  std::string smtp;
  std::string envelope;
  std::string kind;
  BodyHandler accept;
  std::function<void(Status)> done;
  int attempt = 1;         // 1-based; a token refresh does not count
  bool refreshed = false;  // the one 401 retry was used
};

EwsClient::EwsClient(http::Transport& transport, auth::TokenProvider& tokens, EwsClientOptions options)
    : transport_(transport), tokens_(tokens), options_(std::move(options)) {}

void EwsClient::Post(std::string impersonated_smtp, std::string envelope, std::string kind, BodyHandler accept,
                     std::function<void(Status)> done) {
  auto call = std::make_shared<Call>();
  call->smtp = std::move(impersonated_smtp);
  call->envelope = std::move(envelope);
  call->kind = std::move(kind);
  call->accept = std::move(accept);
  call->done = std::move(done);
  Attempt(std::move(call), std::chrono::milliseconds{0});
}

void EwsClient::Attempt(std::shared_ptr<Call> call, std::chrono::milliseconds delay) {
  tokens_.Get([this, call, delay](Result<auth::AccessToken> token) mutable {
    if (!token.ok()) {
      call->done(token.status());
      return;
    }
    http::Request request;
    request.method = "POST";
    request.url = options_.ews_url;
    request.headers = {
        {"Authorization", "Bearer " + token->value},
        {"Content-Type", "text/xml; charset=utf-8"},
        {"Accept", "text/xml"},
        // Required with impersonation: routes the call to the mailbox's server.
        {"X-AnchorMailbox", call->smtp},
    };
    request.body = call->envelope;
    request.ca_file = options_.ca_file;
    request.timeout = options_.timeout;
    request.delay = delay;
    request.kind = call->kind;
    stats_.requests.fetch_add(1, std::memory_order_relaxed);
    transport_.Submit(std::move(request), [this, call, used = std::move(token->value)](http::Response&& response) {
      OnResponse(call, used, std::move(response));
    });
  });
}

void EwsClient::OnResponse(std::shared_ptr<Call> call, const std::string& token, http::Response&& response) {
  if (!response.transport_ok()) {
    http::TransportFailure failure = http::ClassifyTransportFailure("EWS", response);
    if (failure.retry) {
      Retry(std::move(call), std::move(failure.status));
    } else {
      call->done(std::move(failure.status));
    }
    return;
  }
  const long status = response.status;
  if (status >= 200 && status < 300) {
    Status taken = call->accept(std::move(response.body));
    if (taken.ok()) {
      stats_.calls.fetch_add(1, std::memory_order_relaxed);
      call->done(Status::Ok());
    } else if (taken.retryable()) {
      if (taken.code() == StatusCode::kThrottled) stats_.throttled.fetch_add(1, std::memory_order_relaxed);
      Retry(std::move(call), std::move(taken));
    } else {
      call->done(std::move(taken));
    }
    return;
  }
  if (status == 401) {
    if (call->refreshed) {
      call->done(Status::Unauthorized(fmt::format("EWS HTTP 401 for {}: the access token was refused twice", call->smtp)));
      return;
    }
    call->refreshed = true;
    tokens_.Invalidate(token);
    Attempt(std::move(call), std::chrono::milliseconds{0});
    return;
  }
  if (status == 503) {
    stats_.throttled.fetch_add(1, std::memory_order_relaxed);
    const auto retry_after = http::ParseRetryAfter(response.header("retry-after"));
    Retry(std::move(call), Status::Throttled(fmt::format("EWS HTTP 503 for {}", call->smtp),
                                             retry_after.value_or(std::chrono::milliseconds{0})));
    return;
  }
  if (status == 500) {
    Status fault = ParseSoapFault(status, response.body);
    if (fault.retryable()) {
      if (fault.code() == StatusCode::kThrottled) stats_.throttled.fetch_add(1, std::memory_order_relaxed);
      Retry(std::move(call), std::move(fault));
    } else {
      call->done(std::move(fault));
    }
    return;
  }
  if (status == 502 || status == 504) {
    Retry(std::move(call), Status::Transient(fmt::format("EWS HTTP {} for {}", status, call->smtp)));
    return;
  }
  call->done(Status::Permanent(fmt::format("EWS HTTP {} for {}", status, call->smtp)));
}

void EwsClient::Retry(std::shared_ptr<Call> call, Status status) {
  std::optional<std::chrono::milliseconds> hint;
  if (status.code() == StatusCode::kThrottled && status.retry_after().count() > 0) {
    hint = std::min(status.retry_after(), http::kMaxRetryAfter);
  }
  const auto delay = http::NextRetryDelay(call->attempt, options_.max_attempts, hint);
  if (!delay) {
    call->done(http::RetriesExhausted(status, call->attempt));
    return;
  }
  Attempt(std::move(call), *delay);
}

}  // namespace crmsync::ews

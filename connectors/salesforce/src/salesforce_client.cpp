// SalesforceClient: session, retries and error mapping; collection upsert
// with the create-only re-send; concurrent SOQL chunks with nextRecordsUrl.
#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <mutex>

#include "crmsync/http/retry.hpp"
#include "crmsync/salesforce/client.hpp"
#include "url_encode.hpp"

namespace crmsync::salesforce {
namespace {

constexpr std::string_view kUpsertKind = "sf.upsert";
constexpr std::string_view kQueryKind = "sf.query";
constexpr std::string_view kInvalidFieldForUpdate = "INVALID_FIELD_FOR_INSERT_UPDATE";
constexpr std::string_view kRequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";
// Salesforce advises URIs well under its 16 KB URI+headers limit.
constexpr std::size_t kMaxQueryUrlBytes = 8000;
// Room for the origin and "/services/data/vXX.X/query?q=" within that limit.
constexpr std::size_t kQueryUrlAllowance = 512;
constexpr std::string_view kDataPathPrefix = "/services/data/";
constexpr double kClimbAfter = 8;

std::string_view TrimTrailingSlash(std::string_view origin) {
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  return origin;
}

// Answers that mean "too much at once": the org's limit is lowered.
bool IsThrottle(const http::Response& response) {
  if (!response.transport_ok()) return false;
  if (response.status == 429 || response.status == 503) return true;
  return response.status == 403 && DescribeRestError(response.body).rfind(kRequestLimitExceeded, 0) == 0;
}

std::shared_ptr<http::KeyedAimdLimiter> OrgLimiter(const SalesforceClientOptions& options) {
  return options.org_limiter ? options.org_limiter : MakeOrgLimiter(options.max_in_flight);
}

std::string Describe(long status, std::string_view body) {
  return fmt::format("Salesforce {} {}", status, DescribeRestError(body));
}

}  // namespace

std::shared_ptr<http::KeyedAimdLimiter> MakeOrgLimiter(int max_in_flight) {
  const double max = std::max(1, max_in_flight);
  // A throttled Salesforce answer costs a retry after a backoff, so the
  // limit probes upwards slowly once the org has pushed back.
  return std::make_shared<http::KeyedAimdLimiter>(http::AimdOptions{max, 1, max, kClimbAfter});
}

struct SalesforceClient::Call {
  std::string method;
  std::string path;  // from the instance origin: "/services/data/v60.0/..."
  // Built once; every attempt's request shares it (null: no body).
  std::shared_ptr<const std::string> body;
  std::string kind;
  std::function<void(Result<std::string>)> done;
  int attempt = 1;         // 1-based; a session refresh does not count
  bool refreshed = false;  // the one 401 retry was used
};

struct SalesforceClient::QueryState {
  std::function<void(Result<std::vector<EmailMatch>>)> done;
  std::string field = "Email";   // the record key each match's value is read from
  std::mutex mutex;
  std::size_t pending = 0;  // chunks not finished yet
  bool finished = false;    // `done` was called (success or first error)
  std::vector<EmailMatch> matches;

  // Calls `done` with the first error; later outcomes are dropped.
  void Fail(Status status) {
    {
      std::lock_guard lock(mutex);
      if (finished) return;
      finished = true;
    }
    done(std::move(status));
  }
};

SalesforceClient::SalesforceClient(http::Transport& transport, auth::TokenProvider& session,
                                   SalesforceClientOptions options)
    : transport_(transport), session_(session), options_(std::move(options)),
      org_limiter_(OrgLimiter(options_)) {}

void SalesforceClient::SendRequest(std::string method, std::string path, std::string body,
                                   std::string kind,
                                   std::function<void(Result<std::string>)> done) {
  auto call = std::make_shared<Call>();
  call->method = std::move(method);
  call->path = std::move(path);
  if (!body.empty()) call->body = std::make_shared<const std::string>(std::move(body));
  call->kind = std::move(kind);
  call->done = std::move(done);
  Send(std::move(call), std::chrono::milliseconds{0});
}

void SalesforceClient::Send(std::shared_ptr<Call> call, std::chrono::milliseconds delay) {
  // The slot first, the token second: a request that waited for a slot
  // takes the session's current token, not one that may have expired while
  // it queued.
  org_limiter_->Acquire(options_.org_key, [this, call, delay]() mutable {
    session_.Get([this, call, delay](Result<auth::AccessToken> token) mutable {
      if (!token.ok() || token->instance_url.empty()) {
        org_limiter_->Release(options_.org_key, false);
        call->done(token.ok() ? Status::Permanent("Salesforce session has no instance_url") : token.status());
        return;
      }
      http::Request request;
      request.method = call->method;
      request.url = fmt::format("{}{}", TrimTrailingSlash(token->instance_url), call->path);
      request.headers = {{"Authorization", "Bearer " + token->value},
                         {"Accept", "application/json"}};
      if (call->body) {
        request.headers.emplace_back("Content-Type", "application/json");
        request.shared_body = call->body;
      }
      request.ca_file = options_.ca_file;
      request.timeout = options_.timeout;
      request.delay = delay;
      request.kind = call->kind;
      auto& counter = call->kind == kUpsertKind ? stats_.upsert_requests : stats_.query_requests;
      counter.fetch_add(1, std::memory_order_relaxed);
      transport_.Submit(std::move(request), [this, call, used = std::move(token->value)](http::Response&& response) {
        // The slot is freed before the answer is handled: a retry or the
        // next request of `done` queues for a slot like any other.
        const bool throttled = IsThrottle(response);
        if (throttled) stats_.throttled.fetch_add(1, std::memory_order_relaxed);
        org_limiter_->Release(options_.org_key, throttled);
        OnResponse(call, used, std::move(response));
      });
    });
  });
}

void SalesforceClient::OnResponse(std::shared_ptr<Call> call, const std::string& token,
                                  http::Response&& response) {
  if (!response.transport_ok()) {
    http::TransportFailure failure = http::ClassifyTransportFailure("Salesforce", response);
    if (failure.retry) {
      Retry(std::move(call), std::move(failure.status));
    } else {
      call->done(std::move(failure.status));
    }
    return;
  }
  const long status = response.status;
  if (status >= 200 && status < 300) {
    call->done(std::move(response.body));
    return;
  }
  if (status == 401) {
    if (call->refreshed) {
      call->done(Status::Unauthorized(Describe(status, response.body)));
      return;
    }
    // INVALID_SESSION_ID: the session expired; the provider re-grants.
    call->refreshed = true;
    session_.Invalidate(token);
    Send(std::move(call), std::chrono::milliseconds{0});
    return;
  }
  const std::string description = DescribeRestError(response.body);
  const std::string message = fmt::format("Salesforce {} {}", status, description);
  if (status == 503 ||
      (status == 403 && description.rfind(kRequestLimitExceeded, 0) == 0)) {
    Retry(std::move(call), Status::Throttled(message));
    return;
  }
  if (status >= 500) {
    Retry(std::move(call), Status::Transient(message));
    return;
  }
  call->done(Status::Permanent(message));
}

void SalesforceClient::Retry(std::shared_ptr<Call> call, Status final_status) {
  const auto delay = http::NextRetryDelay(call->attempt, options_.max_attempts);
  if (!delay) {
    call->done(http::RetriesExhausted(final_status, call->attempt));
    return;
  }
  stats_.retries.fetch_add(1, std::memory_order_relaxed);
  Send(std::move(call), *delay);
}

void SalesforceClient::Upsert(std::string sobject, std::string external_id_field,
                              std::vector<UpsertRecord> records,
                              std::function<void(Result<std::vector<UpsertOutcome>>)> done) {
  Upsert(std::move(sobject), std::move(external_id_field),
         std::make_shared<const std::vector<UpsertRecord>>(std::move(records)), std::move(done));
}

void SalesforceClient::Upsert(std::string sobject, std::string external_id_field, SharedRecords shared,
                              UpsertCallback done) {
  if (!shared) shared = std::make_shared<const std::vector<UpsertRecord>>();
  const std::vector<UpsertRecord>& records = *shared;   // still valid once `state` holds `shared`
  if (records.size() > kMaxCollectionRecords) {
    done(Status::InvalidArgument(fmt::format("Salesforce upsert: {} records, at most {} allowed",
                                             records.size(), kMaxCollectionRecords)));
    return;
  }
  if (records.empty()) {
    done(std::vector<UpsertOutcome>{});
    return;
  }
  struct UpsertState {
    std::string sobject;
    std::string external_id_field;
    std::string path;
    SharedRecords records;   // never null
    std::function<void(Result<std::vector<UpsertOutcome>>)> done;
  };
  auto state = std::make_shared<UpsertState>();
  state->path = fmt::format("/services/data/v{}/composite/sobjects/{}/{}", options_.api_version,
                            detail::UrlEncode(sobject), detail::UrlEncode(external_id_field));
  state->sobject = std::move(sobject);
  state->external_id_field = std::move(external_id_field);
  state->records = std::move(shared);
  state->done = std::move(done);
  std::string body = BuildUpsertBody(state->sobject, state->external_id_field, records);

  SendRequest("PATCH", state->path, std::move(body), std::string(kUpsertKind),
              [this, state](Result<std::string> reply) {
    if (!reply.ok()) {
      state->done(reply.status());
      return;
    }
    Result<std::vector<UpsertOutcome>> parsed =
        ParseUpsertResponse(reply.value(), state->records->size());
    if (!parsed.ok()) {
      state->done(parsed.status());
      return;
    }
    std::vector<UpsertOutcome> outcomes = std::move(parsed).value();
    // The record exists already and a create-only field (Task.TaskSubtype)
    // cannot be updated: send it again without such fields.
    std::vector<std::size_t> resend;
    std::vector<UpsertRecord> subset;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!outcomes[i].success && outcomes[i].error_code == kInvalidFieldForUpdate &&
          HasCreateOnlyField((*state->records)[i])) {
        resend.push_back(i);
        subset.push_back((*state->records)[i]);
      }
    }
    if (resend.empty()) {
      state->done(std::move(outcomes));
      return;
    }
    std::string retry_body =
        BuildUpsertBody(state->sobject, state->external_id_field, subset, false);
    SendRequest("PATCH", state->path, std::move(retry_body), std::string(kUpsertKind),
                [state, outcomes = std::move(outcomes),
                 resend = std::move(resend)](Result<std::string> retry_reply) mutable {
      if (!retry_reply.ok()) {
        // Upserts are idempotent: a retryable failure fails the whole call
        // and the caller repeats it; a permanent one stays on these records.
        if (retry_reply.status().retryable()) {
          state->done(retry_reply.status());
          return;
        }
        for (std::size_t index : resend) {
          outcomes[index].error_message += fmt::format(
              " (re-sent without create-only fields: {})", retry_reply.status().message());
        }
        state->done(std::move(outcomes));
        return;
      }
      Result<std::vector<UpsertOutcome>> second =
          ParseUpsertResponse(retry_reply.value(), resend.size());
      if (!second.ok()) {
        state->done(second.status());
        return;
      }
      for (std::size_t k = 0; k < resend.size(); ++k) {
        outcomes[resend[k]] = std::move(second.value()[k]);
      }
      state->done(std::move(outcomes));
    });
  });
}

void SalesforceClient::FetchQueryPage(std::shared_ptr<QueryState> state, std::string path) {
  SendRequest("GET", std::move(path), {}, std::string(kQueryKind),
              [this, state](Result<std::string> reply) {
    if (!reply.ok()) {
      state->Fail(reply.status());
      return;
    }
    Result<QueryPage> page = ParseQueryResponse(reply.value(), state->field);
    if (!page.ok()) {
      state->Fail(page.status());
      return;
    }
    const std::string next = std::move(page->next_records_url);
    // Only same-origin data paths: the session token must not leave the org.
    if (!next.empty() && next.rfind(kDataPathPrefix, 0) != 0) {
      state->Fail(Status::Corruption(
          fmt::format("Salesforce query response: unexpected nextRecordsUrl '{}'", next)));
      return;
    }
    bool complete = false;
    {
      std::lock_guard lock(state->mutex);
      if (state->finished) return;
      for (EmailMatch& match : page->records) state->matches.push_back(std::move(match));
      if (next.empty()) {
        complete = --state->pending == 0;
        if (complete) state->finished = true;
      }
    }
    if (!next.empty()) {
      FetchQueryPage(state, next);
    } else if (complete) {
      state->done(std::move(state->matches));
    }
  });
}

void SalesforceClient::QueryByEmail(std::string sobject, std::vector<std::string> emails,
                                    std::function<void(Result<std::vector<EmailMatch>>)> done) {
  QueryByField(std::move(sobject), "Email", std::move(emails), std::move(done));
}

void SalesforceClient::QueryByField(std::string sobject, std::string field, std::vector<std::string> values,
                                    std::function<void(Result<std::vector<EmailMatch>>)> done) {
  std::vector<std::string> queries =
      BuildFieldInQueries(sobject, field, values, kMaxQueryUrlBytes - kQueryUrlAllowance);
  if (queries.empty()) {
    done(std::vector<EmailMatch>{});
    return;
  }
  auto state = std::make_shared<QueryState>();
  state->done = std::move(done);
  state->field = std::move(field);
  state->pending = queries.size();
  for (const std::string& soql : queries) {
    FetchQueryPage(state, fmt::format("/services/data/v{}/query?q={}", options_.api_version,
                                      detail::UrlEncode(soql)));
  }
}

void SalesforceClient::QueryAllEmails(std::string sobject,
                                      std::function<void(Result<std::vector<EmailMatch>>)> done) {
  auto state = std::make_shared<QueryState>();
  state->done = std::move(done);
  state->pending = 1;
  const std::string soql = fmt::format("SELECT Id, Email FROM {} WHERE Email != null", sobject);
  FetchQueryPage(state, fmt::format("/services/data/v{}/query?q={}", options_.api_version,
                                    detail::UrlEncode(soql)));
}

Result<std::vector<EmailMatch>> SalesforceClient::QueryByEmailBlocking(
    std::string sobject, std::vector<std::string> emails) {
  return QueryByFieldBlocking(std::move(sobject), "Email", std::move(emails));
}

Result<std::vector<EmailMatch>> SalesforceClient::QueryByFieldBlocking(
    std::string sobject, std::string field, std::vector<std::string> values) {
  std::promise<Result<std::vector<EmailMatch>>> promise;
  std::future<Result<std::vector<EmailMatch>>> future = promise.get_future();
  QueryByField(std::move(sobject), std::move(field), std::move(values),
               [&promise](Result<std::vector<EmailMatch>> result) {
                 promise.set_value(std::move(result));
               });
  return future.get();
}

}  // namespace crmsync::salesforce

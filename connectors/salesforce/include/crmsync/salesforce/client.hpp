// Asynchronous Salesforce REST client over the shared Transport: session from
// the refresh-token provider (instance_url from the grant), one refresh on
// 401 INVALID_SESSION_ID, bounded retries with backoff on 5xx, transport
// failures and REQUEST_LIMIT_EXCEEDED (which carries no Retry-After).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/http/concurrency_limiter.hpp"
#include "crmsync/http/transport.hpp"
#include "crmsync/salesforce/email_graph.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::salesforce {

inline constexpr std::size_t kMaxCollectionRecords = 200;

using UpsertCallback = std::function<void(Result<std::vector<UpsertOutcome>>)>;

// Records an upsert reads without a copy of its own: the caller's write item
// owns them (an aliasing pointer into it) and still holds them after `done`,
// e.g. for the quarantine. Never changed while the request is in flight.
using SharedRecords = std::shared_ptr<const std::vector<UpsertRecord>>;

struct SalesforceClientOptions {
  std::string api_version = "60.0";  // used as /services/data/v{api_version}/
  std::string ca_file;
  int max_attempts = 6;
  std::chrono::milliseconds timeout{60000};
  // Requests in flight to the org at most; the limit adapts (AIMD): halved
  // when the org answers REQUEST_LIMIT_EXCEEDED / 429 / 503, climbing back
  // by one per 8 × `limit` successful answers. Salesforce allows 25 concurrent
  // long-running requests per production org.
  int max_in_flight = 25;
  // Clients that write to the same org (one per user with per-user
  // authorization) share one limiter under one key; empty: the client's own.
  std::shared_ptr<http::KeyedAimdLimiter> org_limiter;
  std::string org_key = "org";
};

struct SalesforceClientStats {
  std::atomic<std::uint64_t> upsert_requests{0};
  std::atomic<std::uint64_t> query_requests{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> throttled{0};   // answers that lowered the org's limit
};

// The adaptive limiter of one org (see SalesforceClientOptions::max_in_flight),
// for clients of that org to share (per-user authorization: one client per user).
std::shared_ptr<http::KeyedAimdLimiter> MakeOrgLimiter(int max_in_flight = 25);

// Thread-safe. Completions run on the transport thread; the client must
// outlive every request still in flight.
class SalesforceClient {
 public:
  SalesforceClient(http::Transport& transport, auth::TokenProvider& session,
                   SalesforceClientOptions options);

  // PATCH /services/data/vXX/composite/sobjects/{sobject}/{external_id_field}
  // with at most kMaxCollectionRecords records (more is a programming error:
  // kInvalidArgument). Calls `done` on the transport thread with one outcome
  // per record in order. A record refused only because a create-only field
  // was sent on update (INVALID_FIELD_FOR_INSERT_UPDATE) is re-sent once
  // without create-only fields, since the record already exists.
  void Upsert(std::string sobject, std::string external_id_field,
              std::vector<UpsertRecord> records,
              std::function<void(Result<std::vector<UpsertOutcome>>)> done);
  void Upsert(std::string sobject, std::string external_id_field, SharedRecords records, UpsertCallback done);

  // Enhanced Email: POST /services/data/vXX/composite/graph, one all-or-none
  // graph per record (the parent `sobject`, e.g. EmailMessage, upserted on
  // `external_id_field`, then its children on the same field, referring to
  // the parent as @{parent.id}). At most kMaxCollectionRecords records (more
  // is kInvalidArgument), split into payloads within the graph limits
  // (email_graph.hpp) that are sent concurrently. Same retries and 401
  // refresh as Upsert. `done` gets one outcome per record in order, or the
  // first request-level failure. A record refused with
  // INVALID_FIELD_FOR_INSERT_UPDATE (the email exists and is no longer a
  // Draft, so its standard fields are read-only) is re-sent once as its
  // parent alone without create-only fields: its relations were committed
  // with it, because its first graph was all-or-none.
  void UpsertEmailGraphs(std::string sobject, std::string external_id_field,
                         std::vector<UpsertRecord> records, UpsertCallback done);
  void UpsertEmailGraphs(std::string sobject, std::string external_id_field, SharedRecords records,
                         UpsertCallback done);

  // Every record of `sobject` whose Email is one of `emails` (batched SOQL,
  // following nextRecordsUrl). Calls `done` once with all matches.
  void QueryByEmail(std::string sobject, std::vector<std::string> emails,
                    std::function<void(Result<std::vector<EmailMatch>>)> done);
  // The same lookup on any string field, e.g. User.FederationIdentifier;
  // each match's `email` holds that field's lower-cased value.
  void QueryByField(std::string sobject, std::string field, std::vector<std::string> values,
                    std::function<void(Result<std::vector<EmailMatch>>)> done);

  // Every record of `sobject` that has an Email (SELECT Id, Email FROM
  // {sobject} WHERE Email != null, following nextRecordsUrl): the CRM cache
  // priming pass. Calls `done` once with all records.
  void QueryAllEmails(std::string sobject, std::function<void(Result<std::vector<EmailMatch>>)> done);

  // DELETE /services/data/vXX/composite/sobjects?ids=...&allOrNone=false
  // with at most kMaxCollectionRecords ids (more is kInvalidArgument): one
  // outcome per id, in order (collections_delete.cpp). Same retries and 401
  // refresh as Upsert.
  void Delete(std::vector<std::string> ids, UpsertCallback done);

  // Blocking variant for set-up steps; never from a callback.
  Result<std::vector<EmailMatch>> QueryByEmailBlocking(std::string sobject,
                                                       std::vector<std::string> emails);
  Result<std::vector<EmailMatch>> QueryByFieldBlocking(std::string sobject, std::string field,
                                                       std::vector<std::string> values);

  const SalesforceClientStats& stats() const { return stats_; }
  // The org's current adaptive limit of requests in flight.
  double org_limit() const { return org_limiter_->limit(options_.org_key); }

 private:
  struct Call;        // one REST request across its attempts
  struct QueryState;  // one QueryByEmail across its chunks and pages
  struct GraphState;  // one UpsertEmailGraphs across its payloads
  void SendGraphPayload(std::shared_ptr<GraphState> state, std::vector<std::size_t> indices,
                        bool first_attempt);
  void Send(std::shared_ptr<Call> call, std::chrono::milliseconds delay);
  void OnResponse(std::shared_ptr<Call> call, const std::string& token, http::Response&& response);
  void Retry(std::shared_ptr<Call> call, Status final_status);
  void SendRequest(std::string method, std::string path, std::string body, std::string kind,
                   std::function<void(Result<std::string>)> done);
  void FetchQueryPage(std::shared_ptr<QueryState> state, std::string path);

  http::Transport& transport_;
  auth::TokenProvider& session_;
  SalesforceClientOptions options_;
  std::shared_ptr<http::KeyedAimdLimiter> org_limiter_;
  SalesforceClientStats stats_;
};

}  // namespace crmsync::salesforce

// Asynchronous Microsoft Graph client over the shared Transport. Handles the
// bearer token (one refresh on 401), throttling (429/503/504 honouring
// Retry-After, bounded exponential backoff with jitter) and typed errors.
// It returns raw page bodies: parsing happens on the engine's workers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/graph/graph.hpp"
#include "crmsync/http/concurrency_limiter.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::graph {

inline constexpr int kOutlookMailboxConcurrency = 4;

struct GraphClientOptions {
  std::string graph_url;          // origin, e.g. https://graph.microsoft.com
  std::string ca_file;            // extra CA for this endpoint (may be empty)
  int page_size = 100;            // Prefer: odata.maxpagesize, sent on every page
  int max_attempts = 6;           // per request, throttling and transient errors
  // Concurrent requests per mailbox (AIMD ceiling). Outlook allows 4 per
  // (app, mailbox); a backfill takes a share of them (engine backfill.hpp).
  int mailbox_concurrency = kOutlookMailboxConcurrency;
  std::chrono::milliseconds timeout{30000};
};

struct GraphClientStats {
  std::atomic<std::uint64_t> pages{0};
  std::atomic<std::uint64_t> throttled{0};   // 429/503 received
  std::atomic<std::uint64_t> retries{0};
};

// Thread-safe. Completions run on the transport thread; the client must
// outlive every FetchPage still in flight.
class GraphClient {
 public:
  GraphClient(http::Transport& transport, auth::TokenProvider& tokens, GraphClientOptions options);

  // GETs one page (a users page, an initial delta URL, a nextLink or a
  // deltaLink) and calls `done` on the transport thread with the body.
  // Errors: kUnauthorized (token refused twice), kGone (410 SyncStateNotFound:
  // restart the stream), kThrottled/kTransient after max_attempts, kTls,
  // kPermanent (other 4xx, with Graph's error code and message).
  void FetchPage(const std::string& url, std::string kind,
                 std::function<void(Result<std::string>)> done);
  // The same with `tokens` instead of the client's own provider: a user's
  // delegated token for that user's mailbox (must outlive the call).
  void FetchPage(const std::string& url, std::string kind, std::function<void(Result<std::string>)> done,
                 auth::TokenProvider& tokens);

  // POSTs `body` (JSON) to `url` with the same token, retry and error
  // handling as FetchPage (getSchedule).
  void PostJson(const std::string& url, std::string body, std::string kind,
                std::function<void(Result<std::string>)> done, auth::TokenProvider* tokens = nullptr);

  // Blocking: the signed-in user of a delegated token (GET /me). For set-up,
  // never from a callback.
  Result<GraphUser> GetSignedInUser(auth::TokenProvider& tokens);

  // Blocking: every page of /users. For set-up, never from a callback.
  Result<std::vector<GraphUser>> ListUsers();
  // The same, each user handed to `take` as soon as its page is read: the
  // listing is never held whole, and its pages are parsed by a parser
  // released when the listing ends (json::ScopedThreadParser).
  Status ListUsers(const std::function<void(GraphUser&&)>& take);
  // Blocking: the users of a group (transitive: nested groups included).
  // `group` is the group's object id or its mail address; an address no
  // group has is kNotFound naming it.
  Result<std::vector<GraphUser>> ListGroupMembers(const std::string& group);

  const GraphClientStats& stats() const { return stats_; }
  const GraphClientOptions& options() const { return options_; }

 private:
  struct Call;  // one FetchPage across its attempts
  // Every page from `url` on, following @odata.nextLink; `what` names the
  // listing in errors.
  Result<std::vector<GraphUser>> ListAllPages(std::string url, const std::string& kind, std::string_view what);
  Status ForEachListed(std::string url, const std::string& kind, std::string_view what,
                       const std::function<void(GraphUser&&)>& take);
  // Attempt within the call's mailbox limit (adaptive: Outlook allows 4 concurrent
  // requests per app and mailbox, and answers 429 beyond it).
  void Start(std::shared_ptr<Call> call, std::chrono::milliseconds delay);
  void Attempt(std::shared_ptr<Call> call, std::chrono::milliseconds delay);
  void OnResponse(std::shared_ptr<Call> call, const std::string& token, http::Response&& response);
  void Retry(std::shared_ptr<Call> call, Status final_status,
             std::optional<std::chrono::milliseconds> retry_after);

  http::Transport& transport_;
  auth::TokenProvider& tokens_;
  GraphClientOptions options_;
  GraphClientStats stats_;
  http::KeyedAimdLimiter mailbox_limiter_;
};

}  // namespace crmsync::graph

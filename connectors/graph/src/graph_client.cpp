// GraphClient: token, headers, retries and error mapping for one page GET.
#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "crmsync/graph/client.hpp"
#include "crmsync/http/retry.hpp"
#include "crmsync/json/on_demand.hpp"
#include "graph_error.hpp"
#include "request_id.hpp"

namespace crmsync::graph {
namespace {

constexpr std::string_view kDefaultKind = "graph.page";
// Guards ListUsers against a service that keeps handing out new links.
constexpr int kMaxUserPages = 100000;

bool IsThrottle(long status) { return status == 429 || status == 503; }
bool IsTransientStatus(long status) { return status == 500 || status == 502 || status == 504; }

// The mailbox a request reads: the {id} of .../users/{id}/..., or "" for
// directory requests (/users itself), which no mailbox limit applies to.
std::string MailboxOf(std::string_view url) {
  constexpr std::string_view kUsers = "/users/";
  const std::size_t at = url.find(kUsers);
  if (at == std::string_view::npos) return {};
  const std::string_view rest = url.substr(at + kUsers.size());
  const std::size_t end = rest.find_first_of("/?");
  if (end == std::string_view::npos || end == 0 || rest[end] != '/') return {};
  return std::string(rest.substr(0, end));
}

}  // namespace

struct GraphClient::Call {
  std::string url;
  std::string kind;
  std::string body;        // non-empty: a POST of this JSON
  std::function<void(Result<std::string>)> done;
  std::string mailbox;     // "" when no mailbox limit applies
  auth::TokenProvider* tokens = nullptr;   // the call's token provider
  int attempt = 1;         // 1-based; a token refresh does not count
  bool refreshed = false;  // the one 401 retry was used
};

GraphClient::GraphClient(http::Transport& transport, auth::TokenProvider& tokens,
                         GraphClientOptions options)
    : transport_(transport), tokens_(tokens), options_(std::move(options)),
      mailbox_limiter_(http::AimdOptions{.initial = static_cast<double>(std::max(1, options_.mailbox_concurrency)),
                                         .min = 1,
                                         .max = static_cast<double>(std::max(1, options_.mailbox_concurrency))}) {}

void GraphClient::FetchPage(const std::string& url, std::string kind,
                            std::function<void(Result<std::string>)> done) {
  FetchPage(url, std::move(kind), std::move(done), tokens_);
}

void GraphClient::FetchPage(const std::string& url, std::string kind,
                            std::function<void(Result<std::string>)> done, auth::TokenProvider& tokens) {
  auto call = std::make_shared<Call>();
  call->tokens = &tokens;
  call->url = url;
  call->kind = kind.empty() ? std::string(kDefaultKind) : std::move(kind);
  call->done = std::move(done);
  call->mailbox = MailboxOf(call->url);
  Start(std::move(call), std::chrono::milliseconds{0});
}

void GraphClient::Start(std::shared_ptr<Call> call, std::chrono::milliseconds delay) {
  if (call->mailbox.empty()) {
    Attempt(std::move(call), delay);
    return;
  }
  const std::string mailbox = call->mailbox;
  mailbox_limiter_.Acquire(mailbox, [this, call = std::move(call), delay]() mutable { Attempt(std::move(call), delay); });
}

void GraphClient::PostJson(const std::string& url, std::string body, std::string kind,
                           std::function<void(Result<std::string>)> done, auth::TokenProvider* tokens) {
  auto call = std::make_shared<Call>();
  call->tokens = tokens != nullptr ? tokens : &tokens_;
  call->url = url;
  call->kind = kind.empty() ? std::string(kDefaultKind) : std::move(kind);
  call->body = std::move(body);
  call->done = std::move(done);
  Attempt(std::move(call), std::chrono::milliseconds{0});
}

void GraphClient::Attempt(std::shared_ptr<Call> call, std::chrono::milliseconds delay) {
  call->tokens->Get([this, call, delay](Result<auth::AccessToken> token) mutable {
    if (!token.ok()) {
      if (!call->mailbox.empty()) mailbox_limiter_.Release(call->mailbox, false);
      call->done(token.status());
      return;
    }
    http::Request request;
    request.method = "GET";
    request.url = call->url;
    request.headers = {
        {"Authorization", "Bearer " + token->value},
        {"Accept", "application/json"},
        // Several preferences go in one header; Graph accepts the list form.
        {"Prefer", fmt::format("odata.maxpagesize={}, outlook.body-content-type=\"text\", "
                               "IdType=\"ImmutableId\"",
                               options_.page_size)},
        {"client-request-id", detail::NewRequestId()},
    };
    if (!call->body.empty()) {
      request.method = "POST";
      request.body = call->body;
      request.headers.emplace_back("Content-Type", "application/json");
    }
    request.ca_file = options_.ca_file;
    request.timeout = options_.timeout;
    request.delay = delay;
    request.kind = call->kind;
    transport_.Submit(std::move(request),
                      [this, call, used = std::move(token->value)](http::Response&& response) {
                        OnResponse(call, used, std::move(response));
                      });
  });
}

void GraphClient::OnResponse(std::shared_ptr<Call> call, const std::string& token,
                             http::Response&& response) {
  if (!call->mailbox.empty()) {
    mailbox_limiter_.Release(call->mailbox, response.transport_ok() && IsThrottle(response.status));
  }
  if (!response.transport_ok()) {
    http::TransportFailure failure = http::ClassifyTransportFailure("Graph", response);
    if (failure.retry) {
      Retry(std::move(call), std::move(failure.status), std::nullopt);
    } else {
      call->done(std::move(failure.status));
    }
    return;
  }
  const long status = response.status;
  if (status >= 200 && status < 300) {
    stats_.pages.fetch_add(1, std::memory_order_relaxed);
    call->done(std::move(response.body));
    return;
  }
  if (status == 401) {
    if (call->refreshed) {
      call->done(Status::Unauthorized(detail::DescribeGraphError(status, response.body)));
      return;
    }
    call->refreshed = true;
    call->tokens->Invalidate(token);
    Start(std::move(call), std::chrono::milliseconds{0});
    return;
  }
  if (status == 410) {
    call->done(Status::Gone(detail::DescribeGraphError(status, response.body)));
    return;
  }
  if (IsThrottle(status) || IsTransientStatus(status)) {
    const auto retry_after = http::ParseRetryAfter(response.header("retry-after"));
    const std::string message = detail::DescribeGraphError(status, response.body);
    if (IsThrottle(status)) {
      stats_.throttled.fetch_add(1, std::memory_order_relaxed);
      Retry(std::move(call),
            Status::Throttled(message, retry_after.value_or(std::chrono::milliseconds{0})),
            retry_after);
    } else {
      Retry(std::move(call), Status::Transient(message), retry_after);
    }
    return;
  }
  if (status == 403) {
    // ErrorAccessDenied: an application access policy or RBAC scope took the
    // mailbox away. The engine suspends that user, not the run.
    call->done(Status::Unauthorized(detail::DescribeGraphError(status, response.body)));
    return;
  }
  call->done(Status::Permanent(detail::DescribeGraphError(status, response.body)));
}

void GraphClient::Retry(std::shared_ptr<Call> call, Status final_status,
                        std::optional<std::chrono::milliseconds> retry_after) {
  const auto delay = http::NextRetryDelay(call->attempt, options_.max_attempts, retry_after);
  if (!delay) {
    call->done(http::RetriesExhausted(final_status, call->attempt));
    return;
  }
  stats_.retries.fetch_add(1, std::memory_order_relaxed);
  Start(std::move(call), *delay);
}

// Directory listings ask for Graph's largest page ($top up to 999 for
// directory objects): they run before any mailbox is read, one page after
// the other, so 2,000 users take 3 round trips instead of 20.
constexpr int kDirectoryPageSize = 999;

Result<std::vector<GraphUser>> GraphClient::ListUsers() {
  return ListAllPages(UsersUrl(options_.graph_url, kDirectoryPageSize), "graph.users", "Graph users");
}

Status GraphClient::ListUsers(const std::function<void(GraphUser&&)>& take) {
  return ForEachListed(UsersUrl(options_.graph_url, kDirectoryPageSize), "graph.users", "Graph users", take);
}

Result<std::vector<GraphUser>> GraphClient::ListGroupMembers(const std::string& group) {
  if (group.empty()) return Status::InvalidArgument("Graph group: empty group id");
  std::string group_id = group;
  if (group.find('@') != std::string::npos) {
    auto found = ListAllPages(GroupsByMailUrl(options_.graph_url, group), "graph.groups",
                              fmt::format("Graph group {}", group));
    if (!found.ok()) return found.status();
    if (found->empty()) return Status::NotFound(fmt::format("Graph: group {} not found (no group has that address)", group));
    if (found->size() > 1) {
      return Status::InvalidArgument(
          fmt::format("Graph: {} groups have the address {}; give the group's object id", found->size(), group));
    }
    group_id = std::move(found->front().id);
  }
  auto members = ListAllPages(GroupMembersUrl(options_.graph_url, group_id, kDirectoryPageSize),
                              "graph.group_members", fmt::format("Graph group {} members", group));
  // Graph answers 404 Request_ResourceNotFound for an unknown object id.
  if (!members.ok() && members.status().message().rfind("Graph 404", 0) == 0) {
    return Status::NotFound(fmt::format("Graph: group {} not found: {}", group, members.status().message()));
  }
  return members;
}

Result<GraphUser> GraphClient::GetSignedInUser(auth::TokenProvider& tokens) {
  std::promise<Result<std::string>> promise;
  std::future<Result<std::string>> future = promise.get_future();
  FetchPage(SignedInUserUrl(options_.graph_url), "graph.me",
            [&promise](Result<std::string> body) { promise.set_value(std::move(body)); }, tokens);
  Result<std::string> body = future.get();
  if (!body.ok()) return body.status();
  return ParseUser(body.value());
}

Result<std::vector<GraphUser>> GraphClient::ListAllPages(std::string url, const std::string& kind,
                                                         std::string_view what) {
  std::vector<GraphUser> users;
  Status listed = ForEachListed(std::move(url), kind, what, [&users](GraphUser&& user) { users.push_back(std::move(user)); });
  if (!listed.ok()) return listed;
  return users;
}

Status GraphClient::ForEachListed(std::string url, const std::string& kind, std::string_view what,
                                  const std::function<void(GraphUser&&)>& take) {
  const json::ScopedThreadParser listing_parser;
  for (int page_count = 0; !url.empty(); ++page_count) {
    if (page_count == kMaxUserPages) {
      return Status::Corruption(fmt::format("{}: more than {} pages", what, kMaxUserPages));
    }
    std::promise<Result<std::string>> promise;
    std::future<Result<std::string>> future = promise.get_future();
    FetchPage(url, kind, [&promise](Result<std::string> body) { promise.set_value(std::move(body)); });
    Result<std::string> body = future.get();
    if (!body.ok()) return body.status();
    Result<UsersPage> page = ParseUsersPage(body.value());
    if (!page.ok()) return page.status();
    std::string().swap(body.value());   // the page's text, before the next one is fetched
    for (GraphUser& user : page->users) take(std::move(user));
    if (page->next_link == url) {
      return Status::Corruption(fmt::format("{}: @odata.nextLink points at the same page", what));
    }
    url = std::move(page->next_link);
  }
  return Status::Ok();
}

}  // namespace crmsync::graph

#include "crmsync/http/curl_multi_transport.hpp"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "ca_store_cache.hpp"
#include "crmsync/http/url.hpp"
#include "transfer.hpp"

namespace crmsync::http {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr const char* kShutDownMessage = "transport shut down";
// Upper bound on one poll when neither curl nor a delayed request needs an
// earlier wake-up; Submit() and the destructor wake the loop anyway.
constexpr long kIdlePollMs = 1000;
// Socket events taken from epoll per wake-up.
constexpr int kEventsPerWait = 256;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A submitted request waiting for its start time.
struct Queued {
  SteadyClock::time_point due;
  std::uint64_t seq = 0;  // keeps submission order among equal due times
  std::unique_ptr<Transfer> transfer;
};

// std::push_heap builds a max-heap: "greater" puts the earliest due on top.
bool LaterThan(const Queued& a, const Queued& b) {
  return a.due != b.due ? a.due > b.due : a.seq > b.seq;
}

const char* OutcomeName(const Response& response) {
  if (!response.transport_ok()) return "transport_error";
  if (response.status == 429) return "throttled";
  if (response.status >= 500) return "server_error";
  if (response.status >= 400) return "client_error";
  return "ok";
}

}  // namespace

struct CurlMultiTransport::Impl {
  explicit Impl(TransportOptions opts);
  ~Impl();

  void Submit(Request request, Completion done);
  // Ends the loop and joins it; every unfinished request completes with
  // kOther first. Idempotent.
  void Stop();
  void Run();

  // Loop-thread helpers.
  // curl's multi_socket interface: curl says which sockets to watch and when
  // to call it back, so one wake-up costs O(ready sockets), not O(transfers
  // in flight) as curl_multi_perform + curl_multi_poll do. With thousands of
  // transfers waiting on latency that is the difference that matters.
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* self, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  void WaitForEvents(long timeout_ms);
  void RunCurlTimerIfDue(SteadyClock::time_point now);
  void Wake();
  void TakeSubmitted();
  void StartDue(SteadyClock::time_point now);
  void CollectFinished();
  long PollTimeoutMs(SteadyClock::time_point now);
  CURL* AcquireEasy();
  void ReleaseEasy(CURL* easy);
  void Complete(std::unique_ptr<Transfer> transfer, long new_connections);
  void ShutDown();

  TransportOptions options;
  CircuitBreaker breaker{options.breaker};   // loop thread only
  CaStoreCache ca_stores;                     // loop thread only
  CURLM* multi = nullptr;
  CURLSH* share = nullptr;
  int epoll_fd = -1;
  int wake_fd = -1;   // eventfd: Submit() and Stop() wake the loop
  std::optional<SteadyClock::time_point> curl_timer;   // loop thread only

  // Shared between Submit() and the loop.
  std::mutex mu;
  std::vector<Queued> submitted;  // guarded by mu
  std::uint64_t next_seq = 0;     // guarded by mu
  bool stopping = false;          // guarded by mu
  bool closed = false;            // guarded by mu: the loop no longer accepts work

  // Loop thread only.
  std::vector<Queued> timers;  // min-heap on (due, seq)
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> in_flight;
  std::vector<CURL*> idle_easies;

  mutable std::mutex stats_mu;
  TransportStats stats;  // guarded by stats_mu

  std::thread loop;
};

CurlMultiTransport::Impl::Impl(TransportOptions opts) : options(std::move(opts)) {
  GlobalInitOnce();
  multi = curl_multi_init();
  share = curl_share_init();
  epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd < 0 || wake_fd < 0) {
    std::perror("crmsync: http transport: epoll/eventfd");
    std::terminate();
  }
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = wake_fd;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &wake);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  // The share is only used from the loop thread, so it needs no lock callbacks.
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.max_total_connections);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
  // Keep as many idle connections cached as may be open at once.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_total_connections);
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
  loop = std::thread([this] { Run(); });
}

CurlMultiTransport::Impl::~Impl() {
  Stop();
  for (CURL* easy : idle_easies) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  curl_share_cleanup(share);
  ::close(wake_fd);
  ::close(epoll_fd);
}

void CurlMultiTransport::Impl::Wake() {
  const std::uint64_t one = 1;
  // A full counter (never in practice) already means "wake up".
  [[maybe_unused]] const auto written = ::write(wake_fd, &one, sizeof one);
}

int CurlMultiTransport::Impl::OnSocket(CURL*, curl_socket_t socket, int what, void* self, void* socket_data) {
  auto* impl = static_cast<Impl*>(self);
  if (what == CURL_POLL_REMOVE) {
    // curl may already have closed the socket; a failed removal is harmless.
    ::epoll_ctl(impl->epoll_fd, EPOLL_CTL_DEL, socket, nullptr);
    curl_multi_assign(impl->multi, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.data.fd = socket;
  if (what & CURL_POLL_IN) event.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
  if (socket_data != nullptr) {
    ::epoll_ctl(impl->epoll_fd, EPOLL_CTL_MOD, socket, &event);
  } else if (::epoll_ctl(impl->epoll_fd, EPOLL_CTL_ADD, socket, &event) == 0) {
    curl_multi_assign(impl->multi, socket, impl);   // any non-null marker: "registered"
  } else if (errno == EEXIST) {
    // A socket number reused before curl told us of its removal.
    ::epoll_ctl(impl->epoll_fd, EPOLL_CTL_MOD, socket, &event);
    curl_multi_assign(impl->multi, socket, impl);
  }
  return 0;
}

int CurlMultiTransport::Impl::OnTimer(CURLM*, long timeout_ms, void* self) {
  auto* impl = static_cast<Impl*>(self);
  if (timeout_ms < 0) {
    impl->curl_timer.reset();
  } else {
    impl->curl_timer = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

void CurlMultiTransport::Impl::RunCurlTimerIfDue(SteadyClock::time_point now) {
  if (!curl_timer || *curl_timer > now) return;
  curl_timer.reset();
  int running = 0;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

void CurlMultiTransport::Impl::WaitForEvents(long timeout_ms) {
  std::array<epoll_event, kEventsPerWait> events;
  const int ready = ::epoll_wait(epoll_fd, events.data(), kEventsPerWait, static_cast<int>(timeout_ms));
  for (int i = 0; i < ready; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto read = ::read(wake_fd, &count, sizeof count);
      continue;
    }
    int mask = 0;
    if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
    if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
    int running = 0;
    curl_multi_socket_action(multi, fd, mask, &running);
  }
}

void CurlMultiTransport::Impl::Stop() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  Wake();
  if (loop.joinable()) loop.join();
}

void CurlMultiTransport::Impl::Submit(Request request, Completion done) {
  const auto due = SteadyClock::now() + std::max(request.delay, std::chrono::milliseconds(0));
  auto transfer = std::make_unique<Transfer>(std::move(request), std::move(done));
  {
    std::lock_guard lock(mu);
    if (!closed) {
      submitted.push_back(Queued{due, next_seq++, std::move(transfer)});
    }
  }
  if (transfer) {
    // The loop has drained for good: complete here, on the caller's thread
    // (normally a completion callback running during shutdown, on the loop
    // thread itself).
    transfer->Fail(TransportError::kOther, kShutDownMessage);
    Complete(std::move(transfer), 0);
    return;
  }
  Wake();
}

void CurlMultiTransport::Impl::Run() {
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (stopping) break;
    }
    TakeSubmitted();
    StartDue(SteadyClock::now());
    RunCurlTimerIfDue(SteadyClock::now());
    CollectFinished();
    WaitForEvents(PollTimeoutMs(SteadyClock::now()));
    CollectFinished();
  }
  ShutDown();
}

void CurlMultiTransport::Impl::TakeSubmitted() {
  std::vector<Queued> batch;
  {
    std::lock_guard lock(mu);
    batch.swap(submitted);
  }
  for (Queued& queued : batch) {
    timers.push_back(std::move(queued));
    std::push_heap(timers.begin(), timers.end(), LaterThan);
  }
}

void CurlMultiTransport::Impl::StartDue(SteadyClock::time_point now) {
  const EasySettings settings{share, &options.user_agent, &ca_stores};
  while (!timers.empty() && timers.front().due <= now) {
    std::pop_heap(timers.begin(), timers.end(), LaterThan);
    std::unique_ptr<Transfer> transfer = std::move(timers.back().transfer);
    timers.pop_back();
    const std::string& host = transfer->host();
    if (!breaker.Allow(host, now)) {
      transfer->Fail(TransportError::kConnect,
                     fmt::format("{}: circuit open after repeated failures of this host, request not sent", host));
      {
        std::lock_guard lock(stats_mu);
        stats.circuit_refusals = breaker.refused();
      }
      Complete(std::move(transfer), 0);
      continue;
    }
    CURL* easy = AcquireEasy();
    if (easy == nullptr) {
      transfer->Fail(TransportError::kOther, "out of memory creating a curl handle");
      breaker.Record(host, true, now);
      Complete(std::move(transfer), 0);
      continue;
    }
    if (!transfer->Configure(easy, settings) || curl_multi_add_handle(multi, easy) != CURLM_OK) {
      if (transfer->response().transport_ok()) {
        transfer->Fail(TransportError::kOther, "curl_multi_add_handle failed");
      }
      ReleaseEasy(easy);
      breaker.Record(host, true, now);
      Complete(std::move(transfer), 0);
      continue;
    }
    in_flight.emplace(easy, std::move(transfer));
  }
  std::lock_guard lock(stats_mu);
  stats.ca_stores_loaded = ca_stores.loads();
}

void CurlMultiTransport::Impl::CollectFinished() {
  int remaining = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &remaining)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    auto it = in_flight.find(easy);
    if (it == in_flight.end()) continue;
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    in_flight.erase(it);
    const long connects = transfer->Finish(code);
    const Response& response = transfer->response();
    breaker.Record(transfer->host(),
                   CircuitBreaker::IsTransientFailure(response.transport_ok(), response.status), SteadyClock::now());
    {
      std::lock_guard lock(stats_mu);
      stats.circuits_opened = breaker.opened();
    }
    curl_multi_remove_handle(multi, easy);
    ReleaseEasy(easy);
    Complete(std::move(transfer), connects);
  }
}

long CurlMultiTransport::Impl::PollTimeoutMs(SteadyClock::time_point now) {
  long timeout = kIdlePollMs;
  if (curl_timer) {
    const auto until = std::chrono::ceil<std::chrono::milliseconds>(*curl_timer - now).count();
    timeout = std::min<long>(timeout, std::max<long>(0, static_cast<long>(until)));
  }
  if (!timers.empty()) {
    const auto until = std::chrono::ceil<std::chrono::milliseconds>(timers.front().due - now).count();
    timeout = std::min<long>(timeout, std::max<long>(0, static_cast<long>(until)));
  }
  return timeout;
}

CURL* CurlMultiTransport::Impl::AcquireEasy() {
  if (idle_easies.empty()) return curl_easy_init();
  CURL* easy = idle_easies.back();
  idle_easies.pop_back();
  curl_easy_reset(easy);
  return easy;
}

void CurlMultiTransport::Impl::ReleaseEasy(CURL* easy) { idle_easies.push_back(easy); }

void CurlMultiTransport::Impl::Complete(std::unique_ptr<Transfer> transfer, long new_connections) {
  {
    std::lock_guard lock(stats_mu);
    ++stats.requests;
    if (!transfer->response().transport_ok()) ++stats.transport_failures;
    stats.connections_opened += static_cast<std::uint64_t>(std::max(0L, new_connections));
    ++stats.by_kind[transfer->request().kind];
    ++stats.by_kind_outcome[{transfer->request().kind, OutcomeName(transfer->response())}];
  }
  try {
    transfer->done()(std::move(transfer->response()));
  } catch (...) {
    // A throwing callback is the caller's bug; the loop serves everyone else.
    std::lock_guard lock(stats_mu);
    ++stats.callback_exceptions;
  }
}

void CurlMultiTransport::Impl::ShutDown() {
  for (auto& [easy, transfer] : in_flight) {
    curl_multi_remove_handle(multi, easy);
    ReleaseEasy(easy);
  }
  std::vector<std::unique_ptr<Transfer>> abandoned;
  for (auto& [easy, transfer] : in_flight) abandoned.push_back(std::move(transfer));
  in_flight.clear();
  for (Queued& queued : timers) abandoned.push_back(std::move(queued.transfer));
  timers.clear();
  {
    std::lock_guard lock(mu);
    closed = true;
    for (Queued& queued : submitted) abandoned.push_back(std::move(queued.transfer));
    submitted.clear();
  }
  for (auto& transfer : abandoned) {
    transfer->Fail(TransportError::kOther, kShutDownMessage);
    Complete(std::move(transfer), 0);
  }
}

CurlMultiTransport::CurlMultiTransport(TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

// Stop before impl_ is destroyed: completions run during the shutdown may
// still call Submit() on this transport.
CurlMultiTransport::~CurlMultiTransport() { impl_->Stop(); }

void CurlMultiTransport::Submit(Request request, Completion done) {
  impl_->Submit(std::move(request), std::move(done));
}

TransportStats CurlMultiTransport::Stats() const {
  std::lock_guard lock(impl_->stats_mu);
  return impl_->stats;
}

}  // namespace crmsync::http

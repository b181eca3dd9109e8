// The flow graph of one run. Node bodies never throw (STYLE.md practice 7):
// every failure becomes a value on the page or an error in the tenant report.
#include "crmsync/engine/run.hpp"

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <unistd.h>

#include <fmt/format.h>

#include "calendar_run.hpp"
#include "crmsync/core/crash_point.hpp"
#include "crmsync/core/message_pool.hpp"
#include "crmsync/engine/commit_generations.hpp"
#include "crmsync/engine/email_message_record.hpp"
#include "crmsync/engine/page_tracker.hpp"
#include "crmsync/engine/quarantine.hpp"
#include "crmsync/engine/task_record.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/http/retry.hpp"
#include "crmsync/engine/secrets.hpp"
#include "deterministic.hpp"
#include "learned_org_limit.hpp"
#include "salesforce_budget.hpp"
#include "stream_plan.hpp"
#include "stream_window.hpp"
#include "tenant_runtime.hpp"
#include "write_backpressure.hpp"

namespace crmsync::engine {
namespace {

namespace flow = oneapi::tbb::flow;

// Streams a run starts with: enough to keep two workers busy against a
// service that answers at once; latency makes the window grow from here.
constexpr std::size_t kInitialStreams = 64;

std::string IsoUtc(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string DefaultRunId(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return fmt::format("{}-{}", buffer, ::getpid());
}

// The batcher lane of mass authorization (one service account writes all).
const std::string kNoWriter;

// Per-user authorization: Salesforce refused this user's own grant this run.
bool WriterRefused(const TenantRuntime& tenant, std::size_t user) {
  return tenant.user_sessions && tenant.user_sessions->Refused(user);
}

// A planned stream: indexes only; its URL and cursor are read at launch (stream_plan.hpp).
using Stream = PlannedStream;

// One page travelling through the graph; each stage owns it in turn.
struct PageWork {
  std::size_t stream = 0;
  std::uint64_t seq = 0;
  std::string url;
  Result<RawPage> raw{RawPage{}};
  std::string cursor_after;
  std::vector<Message> messages;
  std::vector<Classification> classes;
  std::vector<salesforce::UpsertRecord> records;   // captured, ready for the batcher
  Status error;                                      // resolve failure: the page is blocked
  LookupTicket lookup;                 // held from the ledger lookup to the coordinator
  std::size_t hits_this_run = 0;       // kAlreadyCaptured classes whose ledger row this run wrote

  PageWork() = default;
  PageWork(const PageWork&) = delete;
  PageWork& operator=(const PageWork&) = delete;
  // The parser of a later page overwrites these messages (message_pool.hpp).
  ~PageWork() { RecycleMessages(std::move(messages)); }
};
using PagePtr = std::shared_ptr<PageWork>;

struct WriteWork {
  std::size_t tenant = 0;
  OutgoingBatch batch;
  Result<std::vector<salesforce::UpsertOutcome>> outcome{std::vector<salesforce::UpsertOutcome>{}};
};
using WritePtr = std::shared_ptr<WriteWork>;

struct Event {
  PagePtr page;
  WritePtr write;
};

class Run {
 public:
  Run(const Config& config, http::Transport& transport, state::Store& store)
      : config_(config), transport_(transport), store_(store) {}

  RunReport Execute(const RunOptions& options);

 private:
  void SetUp(const RunOptions& options);
  void PlanStreams();
  void LaunchNextStream();
  // A stream ended: launch the next one unless the window shrinks.
  void ReplaceEndedStream();
  // The coordinator's page limit follows the window: two pages per stream.
  std::size_t PageLimit() const { return 2 * window_->size(); }
  // The stream's identity, kind and first URLs, derived from its indexes when needed.
  state::StreamId StreamIdOf(std::size_t stream) const;
  const std::string& KindOf(std::size_t stream) const {
    return stream_kinds_[streams_[stream].tenant][streams_[stream].kind];
  }
  const std::string& StreamNameOf(std::size_t stream) const {
    return stream_names_[streams_[stream].tenant][streams_[stream].kind];
  }
  std::string_view UserIdOf(std::size_t stream) const {
    const Stream& s = streams_[stream];
    return tenants_[s.tenant]->directory->users()[s.user].id();
  }
  std::string InitialUrl(std::size_t stream) const;
  // Where the stream starts: its committed cursor, else its initial URL.
  Result<std::string> StartUrl(std::size_t stream);
  void SetFatal(std::string message);
  // Sends the page request, or holds it while the stream's tenant has too
  // many records waiting to be written or too many pages are upstream.
  void SubmitPage(std::size_t stream, std::uint64_t seq, std::string url);
  void SendPage(std::size_t stream, std::uint64_t seq, std::string url);
  // Coordinator, after a flush: sends the held page requests the writes made room for.
  void ReleaseHeldPages();
  void PageLeftPipeline();
  bool Stopping() const { return options_stop_ != nullptr && options_stop_->load() != 0; }
  // The stream read its last page or failed (progress; a stream cut by a stop is not done).
  void StreamEnded(std::size_t stream);
  void CountStreamsNotFinished();
  bool PlanBackfillTenant(TenantRuntime& tenant);
  void ReportUnmatchedBackfillUsers();
  void LoadBudgets();
  void CountBudgets();
  std::uint64_t CallsThisRun(const TenantRuntime& tenant) const;
  bool BudgetExhausted(std::size_t stream) const { return budget_exhausted_[streams_[stream].tenant].load(); }

  void Fetch(const PagePtr& page, flow::async_node<PagePtr, PagePtr>::gateway_type& gateway);
  bool Parse(const PagePtr& page);
  void Classify(const PagePtr& page);
  void Resolve(const PagePtr& page, flow::async_node<PagePtr, PagePtr>::gateway_type& gateway);
  void FinishResolve(const PagePtr& page);
  void Coordinate(const Event& event, flow::multifunction_node<Event, std::tuple<WritePtr>>::output_ports_type& out);
  void Write(const WritePtr& write, flow::async_node<WritePtr, Event>::gateway_type& gateway);

  void OnPage(const PagePtr& page);
  void OnWrite(const WritePtr& write);
  void Flush(flow::multifunction_node<Event, std::tuple<WritePtr>>::output_ports_type& out);
  void CommitCheckpoint();

  TenantRuntime& TenantOf(std::size_t stream) { return *tenants_[streams_[stream].tenant]; }
  // The user of `stream` did not read everything this run (no last success).
  void MarkIncomplete(std::size_t stream) {
    const Stream& s = streams_[stream];
    tenants_[s.tenant]->MarkUserIncomplete(s.user);
  }
  std::string Where(std::size_t stream) const {
    const Stream& s = streams_[stream];
    return fmt::format("user {} {}", tenants_[s.tenant]->directory->users()[s.user].primary(), StreamNameOf(stream));
  }
  // An error of `stream` for the report, logged with its tenant, user and stream.
  void StreamError(std::size_t stream, const std::string& what) {
    const Stream& s = streams_[stream];
    TenantRuntime& tenant = *tenants_[s.tenant];
    tenant.AddError(fmt::format("{}: {}", Where(stream), what), std::string(tenant.directory->users()[s.user].primary()),
                    StreamNameOf(stream));
  }
  void LogStream(std::size_t stream, LogLevel level, std::string_view message) const {
    const Stream& s = streams_[stream];
    const TenantRuntime& tenant = *tenants_[s.tenant];
    if (tenant.log != nullptr) {
      tenant.LogEvent(level, message, std::string(tenant.directory->users()[s.user].primary()), StreamNameOf(stream));
    }
  }

  const Config& config_;
  http::Transport& transport_;
  state::Store& store_;
  std::vector<std::unique_ptr<TenantRuntime>> tenants_;
  std::vector<Stream> streams_;
  // Per tenant, per kind index: the mail source's stream kind, and the name
  // the stream's cursor is stored under (a backfill job's own kind).
  std::vector<std::vector<std::string>> stream_kinds_;
  std::vector<std::vector<std::string>> stream_names_;

  std::atomic<std::size_t> next_stream_{0};
  PagesUpstream pages_upstream_;   // page requests not yet consumed by the coordinator (write_backpressure.hpp)
  const state::SecretBox* secrets_ = nullptr;
  std::atomic<bool> fatal_{false};
  std::mutex fatal_mutex_;   // the first fatal error's message wins; set from any node
  std::string fatal_message_;

  // Drain and progress (RunOptions::stop / progress).
  const std::atomic<int>* options_stop_ = nullptr;
  const BackfillWindow* backfill_ = nullptr;
  std::vector<std::uint8_t> backfill_matched_;
  // Daily Salesforce call budgets, per tenant (salesforce_budget.hpp).
  std::string budget_day_;
  std::vector<std::uint64_t> budget_base_;        // calls counted today before this run
  std::vector<std::uint64_t> budget_written_;     // the count last put in a checkpoint (coordinator)
  std::unique_ptr<std::atomic<bool>[]> budget_exhausted_;   // a backfill reached its share: no new pages   // per BackfillWindow::users: found in a selected tenant
  RunProgress own_progress_;
  RunProgress* progress_ = &own_progress_;
  std::vector<std::uint8_t> stream_cut_;    // stopped before its last page; written by that stream's page only
  std::unique_ptr<std::atomic<std::uint64_t>[]> stream_read_;   // per stream: messages read this run (log events)
  std::vector<std::size_t> user_slot_base_; // per tenant: its first user's index into users_left_
  std::unique_ptr<std::atomic<std::uint32_t>[]> users_left_;   // streams of the user not ended yet

  std::unique_ptr<WriteBackpressure> backpressure_;   // set once the streams are planned
  std::unique_ptr<StreamWindow> window_;               // how many streams run at once; set with backpressure_
  std::atomic<std::int64_t> pages_on_workers_{0};       // fetched, not yet past Classify
  std::size_t release_from_ = 0;                      // coordinator only

  // Which commits the pages' ledger lookups saw: bounds the batchers' done
  // keys. Before graph_: pages hold tickets into it until they are dropped.
  CommitGenerations generations_;
  flow::graph graph_;
  flow::async_node<PagePtr, PagePtr>* fetch_node_ = nullptr;
  flow::multifunction_node<Event, std::tuple<WritePtr>>* coordinator_node_ = nullptr;

  // Coordinator-only state (serial node).
  PageTracker tracker_;
  state::CheckpointBatch checkpoint_;
  // Ledger rows written at or after this are this run's (the entries' own clock, NowUnixMs).
  std::int64_t run_started_ms_ = 0;
  std::uint64_t forgot_up_to_ = 0;   // the last CommitGenerations::Safe() the batchers forgot up to
};

void Run::SetUp(const RunOptions& options) {
  secrets_ = options.secrets;
  for (const auto& tenant_config : config_.tenants) {
    auto tenant = std::make_unique<TenantRuntime>();
    tenant->config = &tenant_config;
    if (options.backfill != nullptr) tenant->concurrency_share_percent = tenant_config.budget.backfill_share_percent;
    tenant->log = options.log;
    tenant->load_sealed_google_key = [this, id = tenant_config.id]() -> Result<std::string> {
      return OpenSealedSecret(store_, secrets_, id, kGoogleKeySecret);
    };
    if (secrets_ != nullptr) tenant->token_keeper = std::make_unique<SealedTokenKeeper>(store_, *secrets_, tenant_config.id);
    tenants_.push_back(std::move(tenant));
  }
  // Tenants connect in parallel: a slow or broken one does not hold the others.
  oneapi::tbb::task_group group;
  for (auto& tenant : tenants_) {
    group.run([this, t = tenant.get()] { SetUpTenant(*t, transport_, store_, secrets_, config_.engine); });
  }
  group.wait();
}

void Run::PlanStreams() {
  std::vector<std::vector<Stream>> per_tenant(tenants_.size());
  stream_kinds_.assign(tenants_.size(), {});
  stream_names_.assign(tenants_.size(), {});
  LoadBudgets();
  if (fatal_) return;
  if (backfill_ != nullptr) backfill_matched_.assign(backfill_->users.size(), 0);
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    TenantRuntime& tenant = *tenants_[t];
    if (!tenant.ready) continue;
    if (backfill_ != nullptr && !PlanBackfillTenant(tenant)) continue;
    stream_kinds_[t] = tenant.source->StreamKinds();
    for (const std::string& kind : stream_kinds_[t]) {
      stream_names_[t].push_back(backfill_ != nullptr ? BackfillStreamKind(backfill_->job_id, kind) : kind);
    }
    const auto& users = tenant.directory->users();
    for (std::size_t u = 0; u < users.size(); ++u) {
      if (!users[u].enabled()) continue;
      if (backfill_ != nullptr) {
        if (!BackfillSelects(*backfill_, tenant.directory->users()[u])) continue;
        for (std::size_t a = 0; a < backfill_->users.size(); ++a) {
          if (BackfillSelects(BackfillWindow{0, 0, "", {backfill_->users[a]}, ""}, tenant.directory->users()[u])) {
            backfill_matched_[a] = 1;
          }
        }
      }
      for (std::size_t k = 0; k < stream_kinds_[t].size(); ++k) {
        if (backfill_ != nullptr) {
          // An empty committed cursor is a finished backfill window.
          auto cursor = store_.GetCursor(state::StreamId{tenant.config->id, std::string(users[u].id()), stream_names_[t][k]});
          if (!cursor.ok()) {
            SetFatal(cursor.status().ToString());
            return;
          }
          if (cursor.value() && cursor.value()->position.empty()) continue;
        }
        per_tenant[t].push_back(
            Stream{static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(u), static_cast<std::uint16_t>(k), false});
      }
    }
    tenant.report.streams = per_tenant[t].size();
  }
  streams_ = InterleaveTenants(std::move(per_tenant));
  ReportUnmatchedBackfillUsers();
  user_slot_base_.assign(tenants_.size() + 1, 0);
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    user_slot_base_[t + 1] =
        user_slot_base_[t] + (tenants_[t]->ready ? tenants_[t]->directory->users().size() : 0);
  }
  users_left_ = std::make_unique<std::atomic<std::uint32_t>[]>(user_slot_base_.back());
  std::uint64_t users_with_streams = 0;
  for (const Stream& s : streams_) {
    if (users_left_[user_slot_base_[s.tenant] + s.user]++ == 0) ++users_with_streams;
  }
  stream_cut_.assign(streams_.size(), 0);
  stream_read_ = std::make_unique<std::atomic<std::uint64_t>[]>(streams_.size());
  progress_->users_total = users_with_streams;
  progress_->streams_total = streams_.size();
  progress_->planned = true;
}

state::StreamId Run::StreamIdOf(std::size_t stream) const {
  const Stream& s = streams_[stream];
  return state::StreamId{tenants_[s.tenant]->config->id, std::string(UserIdOf(stream)), StreamNameOf(stream)};
}

std::string Run::InitialUrl(std::size_t stream) const {
  const Stream& s = streams_[stream];
  const TenantRuntime& tenant = *tenants_[s.tenant];
  return backfill_ != nullptr ? tenant.source->WindowCursor(tenant.directory->users()[s.user], KindOf(stream),
                                                            backfill_->since_unix, backfill_->until_unix)
                              : tenant.source->InitialCursor(tenant.directory->users()[s.user], KindOf(stream));
}

Result<std::string> Run::StartUrl(std::size_t stream) {
  auto cursor = store_.GetCursor(StreamIdOf(stream));
  if (!cursor.ok()) return cursor.status();
  if (cursor.value()) return std::move(cursor.value()->position);
  return InitialUrl(stream);
}

void Run::SetFatal(std::string message) {
  std::lock_guard lock(fatal_mutex_);
  if (fatal_) return;
  fatal_message_ = std::move(message);
  fatal_ = true;
}

// A --user that no selected, connected organization has is an error of the
// first selected organization (the run is then partial), never ignored.
void Run::ReportUnmatchedBackfillUsers() {
  if (backfill_ == nullptr) return;
  for (std::size_t a = 0; a < backfill_matched_.size(); ++a) {
    if (backfill_matched_[a] != 0) continue;
    for (auto& tenant : tenants_) {
      if (!backfill_->tenant.empty() && tenant->config->id != backfill_->tenant) continue;
      tenant->AddError(fmt::format("backfill: user {} is not a user of {}", backfill_->users[a],
                                   backfill_->tenant.empty() ? "any organization" : "tenant " + backfill_->tenant));
      break;
    }
  }
}

void Run::LoadBudgets() {
  budget_base_.assign(tenants_.size(), 0);
  budget_written_.assign(tenants_.size(), 0);
  budget_exhausted_ = std::make_unique<std::atomic<bool>[]>(tenants_.size());
  auto day = BudgetDay();
  if (!day.ok()) {
    SetFatal(day.status().ToString());
    return;
  }
  budget_day_ = day.value();
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    TenantRuntime& tenant = *tenants_[t];
    if (tenant.config->budget.daily_salesforce_calls <= 0) continue;
    auto calls = LoadBudgetCalls(store_, tenant.config->id, budget_day_);
    if (!calls.ok()) {
      SetFatal(calls.status().ToString());
      return;
    }
    budget_base_[t] = budget_written_[t] = calls.value();
  }
  CountBudgets();
}

std::uint64_t Run::CallsThisRun(const TenantRuntime& tenant) const {
  std::uint64_t calls = 0;
  if (tenant.salesforce) {
    const auto& stats = tenant.salesforce->stats();
    calls += stats.upsert_requests.load() + stats.query_requests.load() + stats.retries.load();
  }
  if (tenant.salesforce_session) calls += tenant.salesforce_session->grants();
  if (tenant.user_sessions) calls += tenant.user_sessions->grants() + tenant.user_sessions->calls();
  return calls;
}

// Coordinator (or before/after the graph): puts each tenant's count of the
// day into the checkpoint, and stops a backfill's new pages at its share.
void Run::CountBudgets() {
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    TenantRuntime& tenant = *tenants_[t];
    const BudgetConfig& budget = tenant.config->budget;
    if (budget.daily_salesforce_calls <= 0) continue;
    const std::uint64_t used = budget_base_[t] + CallsThisRun(tenant);
    if (used != budget_written_[t]) {
      checkpoint_.cursors.emplace_back(BudgetCounterId(tenant.config->id, budget_day_),
                                       state::Cursor{std::to_string(used), NowUnixMs()});
      budget_written_[t] = used;
    }
    const std::uint64_t allowance = BackfillAllowance(budget);
    if (backfill_ != nullptr && used >= allowance && !budget_exhausted_[t].exchange(true)) {
      tenant.AddError(fmt::format(
          "backfill stopped: tenant {} used {} Salesforce calls on {} (UTC), its backfill share is {} of "
          "daily_salesforce_calls = {}; the backfill continues on the next day",
          tenant.config->id, used, budget_day_, allowance, budget.daily_salesforce_calls));
    }
  }
}

// Whether a backfill reads `tenant`; says why not in its report when it cannot.
bool Run::PlanBackfillTenant(TenantRuntime& tenant) {
  if (!backfill_->tenant.empty() && tenant.config->id != backfill_->tenant) return false;
  // A backfill never counts as a complete read of a user's mailbox.
  std::fill(tenant.user_incomplete.begin(), tenant.user_incomplete.end(), 1);
  const std::vector<std::string> kinds = tenant.source->StreamKinds();
  if (tenant.directory && !tenant.directory->users().empty() && !kinds.empty() &&
      tenant.source->WindowCursor(tenant.directory->users()[0], kinds.front(), backfill_->since_unix, backfill_->until_unix)
          .empty()) {
    tenant.AddError("backfill: this organization's mail system cannot list a window of mail (not supported yet)");
    return false;
  }
  return true;
}

void Run::StreamEnded(std::size_t stream) {
  if (stream_read_ && TenantOf(stream).log != nullptr) {
    LogStream(stream, LogLevel::kDebug, fmt::format("stream ended: {} messages read", stream_read_[stream].load()));
  }
  ++progress_->streams_done;
  const Stream& s = streams_[stream];
  if (--users_left_[user_slot_base_[s.tenant] + s.user] == 0) ++progress_->users_done;
}

// After the graph: streams never launched or cut by a stop, per tenant.
void Run::CountStreamsNotFinished() {
  const std::size_t launched = std::min(next_stream_.load(), streams_.size());
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    const bool cut = i < stream_cut_.size() && stream_cut_[i] != 0;
    if (i >= launched || cut) ++tenants_[streams_[i].tenant]->report.streams_not_finished;
  }
}

void Run::SubmitPage(std::size_t stream, std::uint64_t seq, std::string url) {
  HeldPage request{stream, seq, std::move(url)};
  if (backpressure_ && backpressure_->HoldIfFull(streams_[stream].tenant, request, pages_upstream_)) return;
  SendPage(stream, seq, std::move(request.url));
}

void Run::SendPage(std::size_t stream, std::uint64_t seq, std::string url) {
  auto page = std::make_shared<PageWork>();
  page->stream = stream;
  page->seq = seq;
  page->url = std::move(url);
  pages_upstream_.Sent();
  fetch_node_->try_put(page);
}

void Run::LaunchNextStream() {
  while (!fatal_ && !Stopping()) {
    const std::size_t index = next_stream_++;
    if (index >= streams_.size()) return;
    // A tenant suspended mid-run starts no more streams; their cursors stay.
    if (TenantOf(index).suspended) {
      StreamEnded(index);
      continue;
    }
    if (BudgetExhausted(index)) {
      stream_cut_[index] = 1;
      continue;
    }
    auto start = StartUrl(index);
    if (!start.ok()) {
      SetFatal(start.status().ToString());
      return;
    }
    LogStream(index, LogLevel::kDebug, "stream started");
    SubmitPage(index, 0, std::move(start.value()));
    return;
  }
}

void Run::ReplaceEndedStream() {
  if (window_ == nullptr || window_->StreamEnded(static_cast<std::size_t>(pages_on_workers_.load()))) {
    LaunchNextStream();
  } else {
    backpressure_->SetPageLimit(PageLimit());
  }
}

// A page that will never reach the coordinator: when nothing else is
// upstream, the coordinator must still flush its partial batches.
void Run::PageLeftPipeline() {
  if (pages_upstream_.Left()) coordinator_node_->try_put(Event{});
}

void Run::Fetch(const PagePtr& page, flow::async_node<PagePtr, PagePtr>::gateway_type& gateway) {
  gateway.reserve_wait();
  const Stream& stream = streams_[page->stream];
  TenantRuntime& tenant = *tenants_[stream.tenant];
  tenant.source->FetchPage(tenant.directory->users()[stream.user], KindOf(page->stream), page->url,
                           [this, page, &gateway](Result<RawPage> raw) {
                             page->raw = std::move(raw);
                             pages_upstream_.Fetched();
                             ++pages_on_workers_;
                             gateway.try_put(page);
                             gateway.release_wait();
                           });
}

bool Run::Parse(const PagePtr& page) {
  CRMSYNC_CRASH_POINT("page_fetched");
  if (window_ != nullptr && window_->PageArrived(static_cast<std::size_t>(pages_on_workers_.load()))) {
    backpressure_->SetPageLimit(PageLimit());
    LaunchNextStream();
  }
  Stream& stream = streams_[page->stream];
  TenantRuntime& tenant = *tenants_[stream.tenant];
  if (!page->raw.ok()) {
    const Status& status = page->raw.status();
    if (status.code() == StatusCode::kGone && !stream.restarted) {
      // The sync state expired: restart the folder from scratch. Writes are
      // upserts, so re-reading what was captured changes nothing.
      stream.restarted = true;
      StreamError(page->stream, "delta state expired (410), re-reading the folder");
      page->cursor_after = InitialUrl(page->stream);
      SubmitPage(page->stream, page->seq + 1, page->cursor_after);
      return true;
    }
    ++tenant.counters.streams_failed;
    ++progress_->errors;
    StreamEnded(page->stream);
    StreamError(page->stream, status.ToString());
    if (IsAccessFailure(status)) {
      SuspendUser(tenant, stream.user, "mailbox access revoked: " + status.message());
    } else {
      MarkIncomplete(page->stream);
    }
    ReplaceEndedStream();
    PageLeftPipeline();
    return false;
  }
  if (tenant.suspended || WriterRefused(tenant, stream.user)) {
    // The tenant (or, per-user authorization, this user's own Salesforce
    // grant) was refused while this page was on the wire: drop it unparsed;
    // the cursor stays before it.
    MarkIncomplete(page->stream);
    StreamEnded(page->stream);
    ReplaceEndedStream();
    PageLeftPipeline();
    return false;
  }
  auto parsed = tenant.source->ParsePage(std::move(page->raw.value()));
  page->raw = RawPage{};
  if (!parsed.ok()) {
    ++tenant.counters.streams_failed;
    ++progress_->errors;
    StreamEnded(page->stream);
    MarkIncomplete(page->stream);
    StreamError(page->stream,
                fmt::format("malformed page, stream stopped for this run: {}", parsed.status().ToString()));
    ReplaceEndedStream();
    PageLeftPipeline();
    return false;
  }
  ++tenant.counters.pages;
  MailPage& mail = parsed.value();
  page->messages = std::move(mail.messages);
  page->cursor_after = mail.next_cursor;
  if (backfill_ != nullptr && mail.last) page->cursor_after.clear();   // the window is done
  if (!mail.last && !Stopping() && !BudgetExhausted(page->stream)) {
    SubmitPage(page->stream, page->seq + 1, std::move(mail.next_cursor));
  } else {
    // Stopping: this page's cursor (the next page's link) is committed once
    // the page is terminal, so the next run continues right after it.
    if (mail.last) {
      StreamEnded(page->stream);
    } else {
      stream_cut_[page->stream] = 1;
      MarkIncomplete(page->stream);
    }
    ReplaceEndedStream();
  }
  return true;
}

void Run::Classify(const PagePtr& page) {
  const Stream& stream = streams_[page->stream];
  TenantRuntime& tenant = *tenants_[stream.tenant];
  const MailboxUser& mailbox = tenant.directory->users()[stream.user];
  const auto now = std::chrono::system_clock::now();
  page->classes.reserve(page->messages.size());
  // The candidates' keys are lent to the ledger lookup and moved back after it.
  std::vector<std::string> keys;
  std::vector<std::size_t> key_index;
  keys.reserve(page->messages.size());
  key_index.reserve(page->messages.size());
  for (std::size_t i = 0; i < page->messages.size(); ++i) {
    const Message& message = page->messages[i];
    if (!message.removed) ++tenant.counters.messages_read;
    page->classes.push_back(engine::Classify(message, *tenant.directory, mailbox, *tenant.rules, now));
    if (page->classes.back().skip == SkipReason::kNone) {
      keys.push_back(std::move(page->classes.back().key));
      key_index.push_back(i);
    }
  }
  const std::size_t read = page->classes.size() - static_cast<std::size_t>(std::count_if(
      page->messages.begin(), page->messages.end(), [](const Message& m) { return m.removed; }));
  progress_->messages_read += read;
  stream_read_[page->stream] += read;
  if (keys.empty()) return;
  page->lookup = generations_.BeginLookup();
  auto ledger = store_.GetLedgerMany(tenant.config->id, keys);
  for (std::size_t k = 0; k < keys.size(); ++k) page->classes[key_index[k]].key = std::move(keys[k]);
  if (!ledger.ok()) {
    page->error = ledger.status();
    return;
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const auto& entry = ledger.value()[k];
    if (!entry.has_value()) continue;
    page->classes[key_index[k]].skip = SkipReason::kAlreadyCaptured;
    // A row this very run wrote: another mailbox's copy, not mail an earlier run captured.
    if (entry->written_unix_ms >= run_started_ms_) ++page->hits_this_run;
  }
}

void Run::Resolve(const PagePtr& page, flow::async_node<PagePtr, PagePtr>::gateway_type& gateway) {
  TenantRuntime& tenant = TenantOf(page->stream);
  std::vector<std::string> addresses;
  std::size_t candidates = 0;
  for (const auto& c : page->classes) candidates += c.skip == SkipReason::kNone ? c.external_addresses.size() : 0;
  addresses.reserve(candidates);
  for (const auto& c : page->classes) {
    if (c.skip != SkipReason::kNone) continue;
    for (const auto& a : c.external_addresses) addresses.push_back(a);
  }
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  if (!page->error.ok() || addresses.empty()) {
    FinishResolve(page);
    gateway.try_put(page);
    return;
  }

  // Second level after memory: the directory column family, written by
  // earlier runs. What is still missing goes to Salesforce, batched.
  const std::vector<std::string> misses = tenant.crm->Uncached(addresses);
  if (!misses.empty()) {
    // Expired rows (match_ttl_hours / miss_ttl_hours) are not seeded.
    auto stored = store_.GetDirectoryMany(tenant.config->id, tenant.crm->DirectoryKeys(misses));
    if (stored.ok()) tenant.crm->SeedFromDirectory(misses, stored.value());
  }
  gateway.reserve_wait();
  tenant.crm->Resolve(addresses, [this, page, &gateway, &tenant](Status status) {
    auto finish = [this, page, &gateway](Status s) {
      if (!s.ok()) page->error = std::move(s);
      FinishResolve(page);
      gateway.try_put(page);
      gateway.release_wait();
    };
    // create_lead: the page's unknown people become Leads before its records
    // are built; a Lead not written blocks the page (never captured without WhoId).
    if (!status.ok() || !tenant.leads) return finish(std::move(status));
    tenant.leads->Create(UnknownPeople(page->messages, page->classes, *tenant.crm), std::move(finish));
  });
}

// Chooses WhoId (the first external participant that is an object of
// capture.match_objects, trying the objects in their configured order:
// Contact, then Lead by default) and builds the Task, or for Enhanced Email
// tenants the EmailMessage with its relations, of every captured message.
void Run::FinishResolve(const PagePtr& page) {
  if (!page->error.ok()) return;
  TenantRuntime& tenant = TenantOf(page->stream);
  const CaptureRules& rules = *tenant.rules;
  page->records.reserve(static_cast<std::size_t>(std::count_if(
      page->classes.begin(), page->classes.end(), [](const Classification& c) { return c.skip == SkipReason::kNone; })));
  std::string contact, lead;   // reused: ids are 18 characters, past the small-string buffer
  for (std::size_t i = 0; i < page->messages.size(); ++i) {
    Classification& c = page->classes[i];
    if (c.skip != SkipReason::kNone) continue;
    contact.clear();
    lead.clear();
    tenant.crm->FirstMatches(c.external_addresses, contact, lead);
    const std::string& who = rules.ChooseWho(contact, lead);
    if (who.empty()) {
      c.skip = SkipReason::kNoCrmMatch;
      continue;
    }
    const Message& message = page->messages[i];
    if (tenant.config->salesforce.object_model != ObjectModel::kEnhancedEmail) {
      // Per-user authorization: the record is written with the mailbox user's
      // own token, so it is theirs (first writer wins for shared email).
      const std::string owner(tenant.user_sessions
                                  ? tenant.directory->users()[streams_[page->stream].user].salesforce_user_id()
                                  : std::string_view(c.owner_salesforce_id));
      page->records.push_back(BuildTaskRecord(c.key, message, who, owner, rules.max_body_chars()));
      continue;
    }
    // Relation ids and direction come from the tenant's directory and CRM
    // matches only, never from the mailbox this copy was read from, so every
    // copy of the email builds the same graph.
    RelationIdsByAddress ids;
    for (const auto& a : c.external_addresses) {
      const auto match = tenant.crm->Find(a);
      if (!match) continue;
      for (const CrmObject object : rules.match_order()) {
        const std::string& id = object == CrmObject::kContact ? match->contact_id : match->lead_id;
        if (!id.empty()) {
          ids.emplace(a, id);
          break;
        }
      }
    }
    auto add_user = [&](const Participant& p) {
      std::string address = AsciiLower(p.address);
      if (address.empty() || ids.count(address) != 0 || !tenant.directory->IsInternal(address)) return;
      const MailboxUser* user = tenant.directory->FindUser(address);
      if (user != nullptr && !user->salesforce_user_id().empty()) ids.emplace(std::move(address), user->salesforce_user_id());
    };
    add_user(message.from);
    for (const auto& p : message.to) add_user(p);
    for (const auto& p : message.cc) add_user(p);
    for (const auto& p : message.bcc) add_user(p);
    const bool incoming = !tenant.directory->IsInternal(AsciiLower(message.from.address));
    page->records.push_back(BuildEmailMessageRecord(c.key, message, incoming, ids, rules.max_body_chars()));
  }
}

void Run::OnPage(const PagePtr& page) {
  const Stream& stream = streams_[page->stream];
  TenantRuntime& tenant = *tenants_[stream.tenant];
  const PageRef ref{page->stream, page->seq};
  // Released now, before its records reach the batcher: done keys are only
  // forgotten after this event (CommitCheckpoint), on this same thread.
  page->lookup.Release();
  std::size_t already_captured = 0;
  for (const auto& c : page->classes) {
    if (c.skip == SkipReason::kAlreadyCaptured) {
      ++already_captured;
    } else if (c.skip != SkipReason::kNone) {
      ++tenant.counters.skipped[static_cast<int>(c.skip)];
    }
  }
  // Ledger hits on rows this very run wrote are other mailboxes' copies.
  tenant.report.deduplicated += page->hits_this_run;
  tenant.counters.skipped[static_cast<int>(SkipReason::kAlreadyCaptured)] += already_captured - page->hits_this_run;
  // Pages of a suspended tenant wait (blocked) without an error each: the
  // suspension and its reason are reported once.
  const bool was_suspended = tenant.suspended;
  const bool writer_refused = WriterRefused(tenant, stream.user);
  if (page->error.ok() && was_suspended) {
    page->error = Status::Unauthorized("tenant suspended: " + tenant.report.reason);
  } else if (page->error.ok() && writer_refused) {
    page->error = Status::Unauthorized("user suspended: Salesforce refused their own authorization");
  } else if (IsAccessFailure(page->error) && !was_suspended) {
    SuspendTenant(tenant, CrmReason(page->error));
  }
  if (!page->error.ok()) {
    MarkIncomplete(page->stream);
    if (!was_suspended && !writer_refused) StreamError(page->stream, page->error.ToString());
    std::size_t open = 0;
    for (const auto& c : page->classes) open += c.skip == SkipReason::kNone ? 1 : 0;
    tenant.report.not_terminal += open;
    tracker_.AddPage(ref, page->cursor_after, open);
    tracker_.Block(ref);
    return;
  }
  tracker_.AddPage(ref, page->cursor_after, page->records.size());
  // Per-user authorization: each user's records are a lane of their own.
  const std::string user_id(UserIdOf(page->stream));
  const std::string& writer = tenant.user_sessions ? user_id : kNoWriter;
  for (auto& record : page->records) {
    switch (tenant.batcher.Add(std::move(record), user_id, ref, writer)) {
      case Batcher::Added::kQueued: break;
      case Batcher::Added::kAttached:
        ++tenant.report.deduplicated;
        break;
      case Batcher::Added::kDoneThisRun:
        ++tenant.report.deduplicated;
        tracker_.MessageTerminal(ref);
        break;
    }
  }
}

void Run::OnWrite(const WritePtr& write) {
  CRMSYNC_CRASH_POINT("write_answered_before_commit");
  TenantRuntime& tenant = *tenants_[write->tenant];
  ++tenant.report.api.salesforce_upserts;
  if (!write->outcome.ok()) {
  }
  // Never before the run's start, even if the wall clock stepped back: that
  // is how a later page's lookup tells this run's rows (Classify).
  const std::int64_t now = std::max(NowUnixMs(), run_started_ms_);
  const char* sobject =
      tenant.config->salesforce.object_model == ObjectModel::kEnhancedEmail ? kEmailMessageSobject : kTaskSobject;
  // The ledger rows of these results go out with the next commit (this event's CommitCheckpoint).
  auto results = tenant.batcher.Complete(write->batch.id, write->outcome, generations_.Next(), write->batch.records);
  if (!write->outcome.ok()) {
    tenant.AddError(fmt::format("Salesforce upsert of {} records failed: {}", results.size(),
                                write->outcome.status().ToString()));
    ++progress_->errors;
    if (IsAccessFailure(write->outcome.status())) {
      const auto writer = tenant.user_index.Find(write->batch.writer);
      if (tenant.user_sessions && writer) {
        // That user's own grant was refused: only they stop; their queued
        // records stay unwritten and their pages blocked.
        tenant.user_sessions->Refuse(*writer);
        SuspendUser(tenant, *writer, CrmReason(write->outcome.status()));
      } else {
        SuspendTenant(tenant, CrmReason(write->outcome.status()));
      }
    }
  }
  for (auto& result : results) {
    const bool terminal = result.outcome &&
                          (result.outcome->success || !IsTransientRecordError(result.outcome->error_code));
    if (!terminal) {
      tenant.report.not_terminal += result.waiters.size();
      for (const auto& w : result.waiters) {
        tracker_.Block(w);
        MarkIncomplete(w.stream);
      }
      continue;
    }
    if (result.outcome->success) {
      ++tenant.report.captured;
      ++progress_->captured;
      ++(result.outcome->created ? tenant.report.created : tenant.report.updated);
      if (auto user = tenant.user_index.Find(result.first_user)) {
        ++tenant.user_captured[*user];
      }
      // Moved: the result is spent here (three allocations per record fewer than copies).
      checkpoint_.ledger.emplace_back(tenant.config->id, std::move(result.key),
                                      state::LedgerEntry{std::move(result.outcome->id), sobject,
                                                         std::move(result.first_user), now});
    } else {
      ++tenant.report.quarantined;
      // The key and the error only: the record's fields are mail content.
      if (tenant.log != nullptr && !result.waiters.empty()) {
        LogStream(result.waiters.front().stream, LogLevel::kInfo,
                  fmt::format("record quarantined: key {}: {}", result.key, result.outcome->error_code));
      }
      checkpoint_.quarantine.emplace_back(
          tenant.config->id, result.key,
          state::QuarantineEntry{result.outcome->error_code, result.outcome->error_message, 1, result.first_user, now,
                                 EncodeQuarantinedRecord(result.record)});
    }
    for (const auto& w : result.waiters) tracker_.MessageTerminal(w);
  }
}

void Run::CommitCheckpoint() {
  const std::int64_t now = NowUnixMs();
  CountBudgets();
  for (auto& tenant : tenants_) {
    if (!tenant->crm) continue;
    for (auto& row : tenant->crm->TakeNewRows()) checkpoint_.directory.push_back(std::move(row));
  }
  for (auto& [stream, cursor] : tracker_.TakeAdvanced()) {
    checkpoint_.cursors.emplace_back(StreamIdOf(stream), state::Cursor{std::move(cursor), now});
  }
  if (!checkpoint_.empty()) {
    Status status = store_.Commit(checkpoint_);
    checkpoint_ = state::CheckpointBatch{};
    if (status.ok()) {
      generations_.Committed();
    } else {
      generations_.CommitFailed();
      SetFatal("state commit failed: " + status.ToString());
    }
  }
  // Also without a commit: a page reaching the coordinator can make older keys safe.
  const std::uint64_t safe = generations_.Safe();
  if (safe <= forgot_up_to_) return;
  forgot_up_to_ = safe;
  for (auto& tenant : tenants_) tenant->batcher.ForgetDone(safe);
}

void Run::Flush(flow::multifunction_node<Event, std::tuple<WritePtr>>::output_ports_type& out) {
  const bool drain = pages_upstream_.requested.load() == 0;
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    // A suspended tenant's queued records stay unwritten (and their pages
    // blocked) until the administrator reconnects it.
    if (tenants_[t]->suspended) continue;
    TenantRuntime& tenant = *tenants_[t];
    auto lane_open = [&tenant](const std::string& writer) {
      if (writer.empty() || !tenant.user_sessions) return true;
      const auto user = tenant.user_index.Find(writer);
      return user && !tenant.user_sessions->Refused(*user);
    };
    for (auto& batch : tenant.batcher.TakeReady(drain, lane_open)) {
      auto write = std::make_shared<WriteWork>();
      write->tenant = t;
      write->batch = std::move(batch);
      std::get<0>(out).try_put(write);
    }
  }
}

void Run::Coordinate(const Event& event,
                     flow::multifunction_node<Event, std::tuple<WritePtr>>::output_ports_type& out) {
  if (event.page) {
    OnPage(event.page);
    pages_upstream_.Left();
  }
  if (event.write) OnWrite(event.write);
  CommitCheckpoint();
  if (!fatal_) Flush(out);
  ReleaseHeldPages();
}

void Run::ReleaseHeldPages() {
  if (fatal_ || Stopping()) {
    // As a stop between two pages: the stream resumes at this page next run.
    for (const HeldPage& held : backpressure_->ReleaseAll()) {
      stream_cut_[held.stream] = 1;
      MarkIncomplete(held.stream);
    }
    return;
  }
  // Starting with another tenant each time: pages freed by the coordinator
  // go to every tenant's held streams in turn.
  const std::size_t first = release_from_++;
  for (std::size_t i = 0; i < tenants_.size(); ++i) {
    const std::size_t t = (first + i) % tenants_.size();
    const Batcher& batcher = tenants_[t]->batcher;
    // Without a write in flight nothing will lower the count (a suspended
    // tenant, a refused writer's lane): holding would stall.
    const bool stalled = batcher.inflight_requests() == 0;
    for (HeldPage& held : backpressure_->Update(t, batcher.queued(), stalled, pages_upstream_)) {
      SendPage(held.stream, held.seq, std::move(held.url));
    }
  }
}

void Run::Write(const WritePtr& write, flow::async_node<WritePtr, Event>::gateway_type& gateway) {
  gateway.reserve_wait();
  TenantRuntime& tenant = *tenants_[write->tenant];
  // The request reads the records in `write` without a copy; OnWrite gets
  // them back from there for the quarantine.
  const salesforce::SharedRecords records(write, &write->batch.records);
  auto done = [write, &gateway](Result<std::vector<salesforce::UpsertOutcome>> outcome) {
    write->outcome = std::move(outcome);
    gateway.try_put(Event{nullptr, write});
    gateway.release_wait();
  };
  salesforce::SalesforceClient& client = write->batch.writer.empty()
                                             ? *tenant.salesforce
                                             : tenant.user_sessions->Client(tenant.user_index.Find(write->batch.writer).value());
  if (tenant.config->salesforce.object_model == ObjectModel::kEnhancedEmail) {
    client.UpsertEmailGraphs(kEmailMessageSobject, kKeyField, records, std::move(done));
  } else {
    client.Upsert(kTaskSobject, kKeyField, records, std::move(done));
  }
}

RunReport Run::Execute(const RunOptions& options) {
  const auto started = std::chrono::system_clock::now();
  const auto steady_start = std::chrono::steady_clock::now();
  run_started_ms_ = NowUnixMs();
  RunReport report;
  report.run_id = options.run_id.empty() ? DefaultRunId(started) : options.run_id;
  report.started_at = IsoUtc(started);

  options_stop_ = options.stop;
  backfill_ = options.backfill;
  if (options.progress != nullptr) progress_ = options.progress;
  SetUp(options);
  PlanStreams();

  using AsyncPage = flow::async_node<PagePtr, PagePtr>;
  AsyncPage fetch(graph_, flow::unlimited,
                  [this](const PagePtr& page, AsyncPage::gateway_type& gateway) { Fetch(page, gateway); });
  using ParseNode = flow::multifunction_node<PagePtr, std::tuple<PagePtr>>;
  ParseNode parse(graph_, flow::unlimited, [this](const PagePtr& page, ParseNode::output_ports_type& out) {
    if (Parse(page)) {
      std::get<0>(out).try_put(page);
    } else {
      --pages_on_workers_;
    }
  });
  flow::function_node<PagePtr, PagePtr> classify(graph_, flow::unlimited, [this](const PagePtr& page) {
    Classify(page);
    --pages_on_workers_;
    return page;
  });
  AsyncPage resolve(graph_, flow::unlimited,
                    [this](const PagePtr& page, AsyncPage::gateway_type& gateway) { Resolve(page, gateway); });
  flow::function_node<PagePtr, Event> to_event(graph_, flow::unlimited,
                                               [](const PagePtr& page) { return Event{page, nullptr}; });
  using CoordinatorNode = flow::multifunction_node<Event, std::tuple<WritePtr>>;
  CoordinatorNode coordinator(graph_, flow::serial,
                              [this](const Event& event, CoordinatorNode::output_ports_type& out) {
                                Coordinate(event, out);
                              });
  using AsyncWrite = flow::async_node<WritePtr, Event>;
  AsyncWrite write(graph_, flow::unlimited,
                   [this](const WritePtr& w, AsyncWrite::gateway_type& gateway) { Write(w, gateway); });

  flow::make_edge(fetch, parse);
  flow::make_edge(flow::output_port<0>(parse), classify);
  flow::make_edge(classify, resolve);
  flow::make_edge(resolve, to_event);
  flow::make_edge(to_event, coordinator);
  flow::make_edge(flow::output_port<0>(coordinator), write);
  flow::make_edge(write, coordinator);
  fetch_node_ = &fetch;
  coordinator_node_ = &coordinator;
  // Up to max_streams_in_flight at once, starting from kInitialStreams: the
  // window grows only while the workers wait on the network (stream_window.hpp).
  const auto ceiling = static_cast<std::size_t>(config_.engine.max_streams_in_flight);
  const auto workers = static_cast<std::size_t>(std::max(1, oneapi::tbb::this_task_arena::max_concurrency()));
  window_ = std::make_unique<StreamWindow>(StreamWindowLimits{.initial = std::min(kInitialStreams, ceiling),
                                                              .ceiling = ceiling,
                                                              .starved_at_most = workers,
                                                              .busy_from = 4 * workers});
  // Reading runs ahead of writing by at most twice what a tenant's writes
  // in flight take (enough to keep them full), and of the coordinator by
  // PageLimit(): bounded whatever the mail.
  backpressure_ = std::make_unique<WriteBackpressure>(
      tenants_.size(), 2 * BatcherLimits{}.max_records * static_cast<std::size_t>(config_.engine.max_writes_in_flight),
      PageLimit());
  const std::size_t initial = std::min(streams_.size(), window_->size());
  for (std::size_t i = 0; i < initial; ++i) LaunchNextStream();
  graph_.wait_for_all();
  CommitCheckpoint();   // the calls made after the last acknowledgement count too
  CountStreamsNotFinished();
  report.streams_in_flight_peak = std::min<std::uint64_t>(window_->peak(), streams_.size());
  // Calendars after mail, tenants in parallel (calendar_run.hpp); not in a
  // backfill, and not once a stop was asked for.
  if (!fatal_ && options.backfill == nullptr && !Stopping()) {
    oneapi::tbb::task_group calendars;
    for (auto& tenant : tenants_) calendars.run([this, t = tenant.get(), started] { RunTenantCalendar(*t, store_, started); });
    calendars.wait();
  }

  for (auto& tenant_ptr : tenants_) {
    TenantRuntime& tenant = *tenant_ptr;
    TenantReport& r = tenant.report;
    r.pages = tenant.counters.pages;
    r.messages_read = tenant.counters.messages_read;
    r.streams_failed = tenant.counters.streams_failed;
    for (int i = 0; i < kSkipReasonCount; ++i) r.skipped[i] += tenant.counters.skipped[i];
    if (tenant.source) {
      const MailSourceStats stats = tenant.source->Stats();
      r.api.mail_token_grants = stats.token_grants;
      r.api.mailbox_pages = stats.pages;
    }
    if (tenant.salesforce_session) r.api.salesforce_token_grants = tenant.salesforce_session->grants();
    if (tenant.user_sessions) r.api.salesforce_token_grants += tenant.user_sessions->grants();
    if (tenant.salesforce) r.api.soql_queries = tenant.salesforce->stats().query_requests;
    if (tenant.crm) r.api.distinct_addresses = tenant.crm->distinct_addresses();
    if (tenant.leads) r.leads_created = tenant.leads->created();
    if (fatal_) {
      r.status = "failed";
      tenant.AddError(fatal_message_);
    }
    Status saved = SaveTenantLifecycle(tenant, store_);
    if (!saved.ok()) tenant.AddError("cannot save user statuses: " + saved.ToString());
    if (tenant.token_keeper) {
      Status kept = tenant.token_keeper->Save();
      if (!kept.ok()) tenant.AddError("cannot keep the access tokens granted this run: " + kept.ToString());
    }
    if (tenant.salesforce_options.org_limiter && CallsThisRun(tenant) > 0) {
      const auto& sf = tenant.salesforce_options;
      Status learned = SaveLearnedOrgLimit(store_, tenant.config->id, sf.org_limiter->limit(sf.org_key), NowUnixMs());
      if (!learned.ok()) tenant.AddError("cannot save the Salesforce org's concurrency: " + learned.ToString());
    }
    report.tenants.push_back(std::move(r));
  }
  const auto finished = std::chrono::system_clock::now();
  report.finished_at = IsoUtc(finished);
  report.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_start).count();
  Finalize(report);
  for (std::size_t t = 0; t < tenants_.size() && report.stopped.empty(); ++t) {
    if (budget_exhausted_ && budget_exhausted_[t].load()) report.stopped = "budget";
  }
  if (Stopping()) {
    // A drained stop by signal did not do what it was asked: partial. A stop
    // at --max-duration is the run's designed bound: its exit code stays.
    const bool by_signal = options_stop_->load() == static_cast<int>(StopReason::kSignal);
    report.stopped = by_signal ? "signal" : "max-duration";
    if (by_signal && report.exit_code == kExitComplete) {
      report.status = "partial";
      report.exit_code = kExitPartial;
    }
  }
  return report;
}

}  // namespace

RunReport RunOnce(const Config& config, const RunOptions& options, http::Transport& transport,
                  state::Store& store) {
  http::SetBackoffPolicy(std::chrono::milliseconds(config.engine.retry_base_ms),
                         std::chrono::milliseconds(config.engine.retry_cap_ms));
  Run run(config, transport, store);
  return run.Execute(options);
}

}  // namespace crmsync::engine

#include "admin_service.hpp"

#include <set>
#include <unordered_set>
#include <vector>

#include <fmt/core.h>
#include <simdjson.h>

#include "cursor_audit.hpp"
#include "email_verify.hpp"
#include "mail_window.hpp"
#include "calendar_model.hpp"
#include "event_verify.hpp"
#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr std::size_t kMaxExamples = 10;
constexpr std::size_t kExampleValueCodePoints = 300;
constexpr std::int64_t kMaxAdvanceMessages = 100000;

struct VerifyCounters {
  std::uint64_t expected = 0, present = 0, missing = 0, duplicates = 0, unexpected = 0, mismatched = 0;
  std::uint64_t relations_missing = 0;   // Enhanced Email only (email_verify.hpp)
  std::uint64_t rejected = 0;            // absent because the fault plan rejected them (faults.hpp)
  VerifyCounters& operator+=(const VerifyCounters& o) {
    expected += o.expected;
    present += o.present;
    missing += o.missing;
    duplicates += o.duplicates;
    unexpected += o.unexpected;
    mismatched += o.mismatched;
    relations_missing += o.relations_missing;
    rejected += o.rejected;
    return *this;
  }
  std::string Json(std::uint64_t isolation) const {
    return fmt::format(
        R"("expected":{},"present":{},"missing":{},"rejected":{},"duplicates":{},"unexpected":{},"mismatched":{},"relations_missing":{},"isolation_violations":{})",
        expected, present, missing, rejected, duplicates, unexpected, mismatched, relations_missing, isolation);
  }
};

// create-lead: the Leads crmsync created against those the ground truth
// expects (one per unknown external address of captured mail).
struct LeadCounters {
  std::uint64_t expected = 0, present = 0, missing = 0, duplicates = 0, unexpected = 0;
  std::string Json() const {
    return fmt::format(R"({{"expected":{},"present":{},"missing":{},"duplicates":{},"unexpected":{}}})", expected,
                       present, missing, duplicates, unexpected);
  }
};

struct Mismatch {
  std::string key, field, expected, actual;
};

std::string Short(const std::string& value) {
  std::string_view prefix = Utf8Prefix(value, kExampleValueCodePoints);
  return prefix.size() == value.size() ? value : std::string(prefix) + "…";
}

HttpResponse AdminError(int status, const std::string& message) {
  return JsonResponse(status, fmt::format(R"({{"error":"{}"}})", JsonEscape(message)));
}

// {"messages":N,"captured":N,"internal_only":N,...} with every outcome.
std::string CountsJson(const OutcomeCounts& c, const char* total_name = "messages") {
  std::string out = fmt::format(R"({{"{}":{})", total_name, c.total());
  for (int o = 0; o < kOutcomeCount; ++o) {
    out += fmt::format(R"(,"{}":{})", OutcomeName(static_cast<Outcome>(o)), c.of(static_cast<Outcome>(o)));
  }
  return out + "}";
}

std::string TruthJson(const TruthCounts& c) {
  std::string out = CountsJson(c.messages);
  out.pop_back();
  return out + R"(,"copies":)" + CountsJson(c.copies, "copies") + "}";
}

}  // namespace

AdminService::AdminService(Corpus& corpus, SalesforceSim& salesforce, const GraphService& graph,
                           const RequestStats& stats)
    : corpus_(corpus), salesforce_(salesforce), graph_(graph), stats_(stats) {}

bool AdminService::Owns(const HttpRequest& request) { return request.path.rfind("/_sim/", 0) == 0; }

HttpResponse AdminService::Handle(const HttpRequest& request) {
  const std::string& p = request.path;
  if (p == "/_sim/verify" && request.method == "GET") return Verify(request);
  if (p == "/_sim/stats" && request.method == "GET") return Stats();
  if (p == "/_sim/advance" && request.method == "POST") return Advance(request);
  if (p == "/_sim/expected" && request.method == "GET") return ExpectedCounts(request);
  if (p == "/_sim/cursor_keys" && request.method == "POST") return CursorKeys(corpus_, request);
  if (p == "/_sim/verify" || p == "/_sim/stats" || p == "/_sim/advance" || p == "/_sim/expected") {
    return AdminError(405, "method not allowed: " + request.method + " " + p);
  }
  return AdminError(404, "no such admin endpoint: " + p);
}

TruthCounts AdminService::EpochCounts(int tenant, int epoch, const Epochs& epochs) {
  {
    std::lock_guard lock(cache_mutex_);
    auto it = epoch_counts_.find({tenant, epoch});
    if (it != epoch_counts_.end()) return it->second;
  }
  TruthCounts counts;
  corpus_.ForEachMessage(tenant, epoch, epoch + 1, epochs,
                         [&](const MessageHeader& h) { counts.Add(Judge(corpus_, h)); });
  std::lock_guard lock(cache_mutex_);
  epoch_counts_[{tenant, epoch}] = counts;
  return counts;
}

OutcomeCounts AdminService::Expected(int tenant) { return ExpectedTruth(tenant).messages; }

TruthCounts AdminService::ExpectedTruth(int tenant) {
  Epochs epochs = corpus_.epochs();
  TruthCounts total;
  for (int e = 0; e < static_cast<int>(epochs.size()); ++e) total += EpochCounts(tenant, e, epochs);
  return total;
}

// Whether Salesforce user `owner_id` is a user of `tenant` whose mailbox copy
// of the judged message is captured (per-user authorization: the writer).
static bool CapturedBy(const Tenant& tenant, const Judgement& judgement, const std::string& owner_id) {
  for (const CopyVerdict& copy : judgement.copies) {
    if (copy.outcome != Outcome::kCaptured || copy.user < 0) continue;
    if (tenant.users[static_cast<std::size_t>(copy.user)].sf_user_id == owner_id) return true;
  }
  return false;
}

HttpResponse AdminService::Verify(const HttpRequest& request) {
  // --object email-message: the EmailMessages stand in for the Tasks.
  const auto emails = email_message_objects_ ? salesforce_.EmailMessagesByKey()
                                             : std::map<std::string, EmailMessagesByKey>{};
  auto tasks = email_message_objects_ ? EmailMessagesAsRecords(emails) : salesforce_.TasksByKey();
  const auto leads = salesforce_.LeadsByKey();
  LeadCounters lead_counts;
  const Epochs epochs = corpus_.epochs();
  VerifyCounters all;
  std::vector<std::string> missing_examples, unexpected_examples;
  std::vector<Mismatch> mismatch_examples;
  std::string tenants_json;
  std::set<std::string> corpus_tenants;

  // ?received_since=ISO&received_until=ISO: only the mail received in that
  // window is expected (a backfill of Graph or EWS mailboxes); anything
  // else stored is unexpected.
  ReceivedWindow window;
  for (auto [name, bound] : {std::pair{"received_since", &window.since}, std::pair{"received_until", &window.until}}) {
    if (auto text = QueryValue(request, name)) {
      *bound = ParseIsoUtc(*text);
      if (!*bound) return AdminError(400, fmt::format("{} '{}' is not an ISO 8601 UTC time", name, *text));
    }
  }
  for (const Tenant& tenant : corpus_.tenants()) {
    corpus_tenants.insert(tenant.id);
    static const std::map<std::string, std::vector<StoredTask>> kNone;
    auto tit = tasks.find(tenant.id);
    const auto& by_key = tit == tasks.end() ? kNone : tit->second;
    static const EmailMessagesByKey kNoEmails;
    auto eit = emails.find(tenant.id);
    const auto& emails_by_key = eit == emails.end() ? kNoEmails : eit->second;
    static const std::map<std::string, std::vector<StoredTask>> kNoLeads;
    auto lit = leads.find(tenant.id);
    const auto& leads_by_key = lit == leads.end() ? kNoLeads : lit->second;
    auto known = email_message_objects_ ? KnownAddresses(tenant) : std::unordered_set<std::string>{};
    if (email_message_objects_) {
      // Created Leads are known people too: their relations carry the Lead id.
      for (const auto& [key, records] : leads_by_key) {
        for (const StoredTask& lead : records) {
          if (auto e = lead.fields.find("Email"); e != lead.fields.end()) known.insert(AsciiLower(e->second));
        }
      }
    }
    std::set<std::string> expected_leads;
    VerifyCounters c;
    std::unordered_set<std::string> seen;
    corpus_.ForEachMessage(tenant.index, 0, static_cast<int>(epochs.size()), epochs, [&](const MessageHeader& h) {
      Judgement j = Judge(corpus_, h);
      if (j.outcome != Outcome::kCaptured || !window.Contains(h.received)) return;
      for (const std::string& address : j.new_leads) expected_leads.insert(LeadKeyOf(address));
      if (j.who_id.rfind("lead:", 0) == 0) {
        // WhoId is a Lead to create: the id the org gave it (absent: stays a mismatch).
        auto l = leads_by_key.find(j.who_id);
        if (l != leads_by_key.end() && !l->second.empty()) j.who_id = l->second.front().id;
      }
      ++c.expected;
      auto it = by_key.find(j.key);
      if (it == by_key.end() || it->second.empty()) {
        if (faults_ != nullptr && faults_->WasRejected(tenant.id, j.key)) {
          ++c.rejected;
          return;
        }
        ++c.missing;
        if (missing_examples.size() < kMaxExamples) missing_examples.push_back(j.key);
        return;
      }
      seen.insert(j.key);
      ++c.present;
      c.duplicates += it->second.size() - 1;
      if (email_message_objects_) c.relations_missing += MissingRelations(h, j.key, known, emails_by_key);
      ExpectedTask expected =
          ExpectedFields(h, j, corpus_.Content(h), tenant.provider, corpus_.options().capture.max_body_chars);
      for (const StoredTask& task : it->second) {
        for (const auto& [field, value] : expected) {
          const char* stored_name = email_message_objects_ ? EmailFieldFor(field) : field.c_str();
          if (stored_name == nullptr) continue;
          auto f = task.fields.find(stored_name);
          bool absent = f == task.fields.end();
          if (!absent && f->second == value) continue;
          if (!absent && per_user_authorization_ && field == "OwnerId" && CapturedBy(tenant, j, f->second)) continue;
          ++c.mismatched;
          if (mismatch_examples.size() < kMaxExamples) {
            mismatch_examples.push_back(Mismatch{j.key, field, value, absent ? std::string() : f->second});
          }
          break;
        }
      }
    });
    for (const auto& [key, records] : by_key) {
      if (seen.count(key) != 0) continue;
      c.unexpected += records.size();
      if (!records.empty() && unexpected_examples.size() < kMaxExamples) unexpected_examples.push_back(key);
    }
    lead_counts.expected += expected_leads.size();
    for (const std::string& key : expected_leads) {
      auto l = leads_by_key.find(key);
      if (l == leads_by_key.end() || l->second.empty()) {
        ++lead_counts.missing;
        if (missing_examples.size() < kMaxExamples) missing_examples.push_back(key);
        continue;
      }
      ++lead_counts.present;
      lead_counts.duplicates += l->second.size() - 1;
    }
    for (const auto& [key, records] : leads_by_key) {
      if (expected_leads.count(key) != 0) continue;
      lead_counts.unexpected += records.size();
      if (!records.empty() && unexpected_examples.size() < kMaxExamples) unexpected_examples.push_back(key);
    }
    all += c;
    if (!tenants_json.empty()) tenants_json += ',';
    tenants_json += fmt::format(R"("{}":{{{}}})", JsonEscape(tenant.id), c.Json(isolation_ ? isolation_->of(tenant.index) : 0));
  }
  // Tasks filed under a tenant the corpus does not have are unexpected too.
  for (const auto& [tenant, by_key] : tasks) {
    if (corpus_tenants.count(tenant) != 0) continue;
    for (const auto& [key, records] : by_key) {
      all.unexpected += records.size();
      if (unexpected_examples.size() < kMaxExamples) unexpected_examples.push_back(key);
    }
  }

  auto string_list = [](const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += fmt::format(R"({}"{}")", i ? "," : "", JsonEscape(items[i]));
    return out + "]";
  };
  std::string mismatches = "[";
  for (std::size_t i = 0; i < mismatch_examples.size(); ++i) {
    const Mismatch& m = mismatch_examples[i];
    mismatches += fmt::format(R"({}{{"key":"{}","field":"{}","expected":"{}","actual":"{}"}})", i ? "," : "",
                              JsonEscape(m.key), JsonEscape(m.field), JsonEscape(Short(m.expected)),
                              JsonEscape(Short(m.actual)));
  }
  mismatches += "]";
  // Calendar Events (event_verify.hpp), apart from the mail counts above.
  const auto events = salesforce_.EventsByKey();
  // ?busy_from=ISO&busy_to=ISO: free/busy-only tenants, the window they read.
  std::optional<std::int64_t> busy_from, busy_to;
  if (auto v = QueryValue(request, "busy_from")) busy_from = ParseIsoSeconds(*v);
  if (auto v = QueryValue(request, "busy_to")) busy_to = ParseIsoSeconds(*v);
  const auto absences = busy_from && busy_to ? salesforce_.AbsencesByKey()
                                             : std::map<std::string, std::map<std::string, std::vector<StoredTask>>>{};
  EventVerifyCounts event_counts;
  for (const Tenant& tenant : corpus_.tenants()) {
    static const std::map<std::string, std::vector<StoredTask>> kNoEvents;
    auto it = events.find(tenant.id);
    const auto& by_key = it == events.end() ? kNoEvents : it->second;
    auto ait = absences.find(tenant.id);
    const auto& absences_by_key = ait == absences.end() ? kNoEvents : ait->second;
    event_counts += busy_from && busy_to
                        ? VerifyBusyEvents(corpus_, tenant.index, by_key, absences_by_key, *busy_from, *busy_to)
                        : VerifyEvents(corpus_, tenant.index, by_key);
  }
  return JsonResponse(200, fmt::format(R"({{{},"detail_reads":{},"delegation_violations":{},"events":{},"leads":{},"capture":"{}","owner_violations":{},"tenants":{{{}}},"examples":{{"missing":{},"unexpected":{},"mismatched":{}}}}})",
                                       all.Json(isolation_ ? isolation_->total() : 0), stats_.detail_reads(),
                                       delegation_ ? delegation_->total() : 0, event_counts.Json(),
                                       lead_counts.Json(),
                                       RuleSetName(corpus_.options().capture.kind), salesforce_.OwnerViolations(), tenants_json,
                                       string_list(missing_examples), string_list(unexpected_examples), mismatches));
}

HttpResponse AdminService::Stats() {
  auto counts = stats_.Snapshot();
  for (auto& [family, by_status] : salesforce_.RequestCounts()) {
    for (auto& [status, n] : by_status) counts[family][status] += n;
  }
  for (const char* family : {"ms.token", "graph.users", "graph.delta", "google.token", "gmail.profile", "gmail.list",
                             "gmail.history", "gmail.get", "gmail.sendas", "gmail.labels", "gmail.batch", "directory.users", "sf.token",
                             "sf.versions", "sf.query", "sf.upsert"}) {
    counts[family];
  }
  std::string endpoints;
  for (const auto& [family, by_status] : counts) {
    if (!endpoints.empty()) endpoints += ',';
    endpoints += fmt::format(R"("{}":{{)", JsonEscape(family));
    bool first = true;
    for (const auto& [status, n] : by_status) {
      endpoints += fmt::format(R"({}"{}":{})", first ? "" : ",", status, n);
      first = false;
    }
    endpoints += '}';
  }
  SalesforceCounters sf = salesforce_.counters();
  // Counted, not snapshotted: a benchmark asks before and after each phase, with ~600k Tasks stored.
  const std::uint64_t task_count = salesforce_.TaskCount();
  return JsonResponse(200, fmt::format(R"({{"endpoints":{{{}}},"records_created":{},"records_updated":{},"records_failed":{},"tasks":{},"detail_reads":{}}})",
                                       endpoints, sf.records_created, sf.records_updated, sf.records_failed, task_count,
                                       stats_.detail_reads()));
}

HttpResponse AdminService::Advance(const HttpRequest& request) {
  std::int64_t messages = 1;
  if (!Trim(request.body).empty()) {
    simdjson::ondemand::parser parser;
    simdjson::padded_string json(request.body);
    simdjson::ondemand::document doc;
    simdjson::ondemand::object object;
    if (parser.iterate(json).get(doc) != simdjson::SUCCESS || doc.get_object().get(object) != simdjson::SUCCESS) {
      return AdminError(400, "body must be a JSON object like {\"messages\":1}");
    }
    for (auto field : object) {
      std::string_view name;
      if (field.unescaped_key().get(name) != simdjson::SUCCESS) return AdminError(400, "malformed JSON body");
      if (name != "messages") return AdminError(400, fmt::format("unknown field '{}'", name));
      if (field.value().get_int64().get(messages) != simdjson::SUCCESS) {
        return AdminError(400, "'messages' must be an integer");
      }
    }
  }
  if (messages < 0 || messages > kMaxAdvanceMessages) {
    return AdminError(400, fmt::format("'messages' must be between 0 and {}", kMaxAdvanceMessages));
  }
  std::lock_guard lock(advance_mutex_);
  corpus_.Advance(static_cast<int>(messages));
  std::uint64_t mailboxes = 0, expected = 0;
  for (const Tenant& t : corpus_.tenants()) {
    mailboxes += t.users.size();
    expected += Expected(t.index).captured;
  }
  return JsonResponse(200, fmt::format(R"({{"clock":"{}","new_messages":{},"expected":{}}})",
                                       FormatIsoUtc(corpus_.clock()), mailboxes * static_cast<std::uint64_t>(messages), expected));
}

HttpResponse AdminService::ExpectedCounts(const HttpRequest& request) {
  std::vector<int> selected;
  if (auto it = request.query.find("tenant"); it != request.query.end()) {
    auto t = corpus_.FindTenantById(it->second);
    if (!t) return AdminError(404, "unknown tenant '" + it->second + "'");
    selected.push_back(*t);
  } else {
    for (const Tenant& t : corpus_.tenants()) selected.push_back(t.index);
  }
  TruthCounts total;
  std::string tenants;
  for (int t : selected) {
    TruthCounts c = ExpectedTruth(t);
    total += c;
    if (!tenants.empty()) tenants += ',';
    tenants += fmt::format(R"("{}":{})", JsonEscape(corpus_.tenants()[static_cast<std::size_t>(t)].id), TruthJson(c));
  }
  return JsonResponse(200, fmt::format(R"({{"clock":"{}","capture":"{}","tenants":{{{}}},"total":{}}})",
                                       FormatIsoUtc(corpus_.clock()), RuleSetName(corpus_.options().capture.kind),
                                       tenants, TruthJson(total)));
}

}  // namespace crmsync::sim

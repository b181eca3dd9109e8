#include "crmsync/engine/run_report.hpp"

#include <fmt/format.h>

#include "crmsync/json/escape.hpp"

namespace crmsync::engine {
namespace {

// Tombstones are not messages: they are listed by reason but not counted as
// skipped mail, so that read = captured + skipped + deduplicated +
// quarantined + not_terminal holds for every tenant.
void CalendarJson(std::string& out, const CalendarReport& c) {
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "\"calendar\":{{\"mode\":{},\"calendars\":{},\"pages\":{},\"meetings_read\":{},\"cancelled\":{},"
                 "\"tombstones\":{},\"tombstones_unknown\":{},\"events_written\":{},\"created\":{},\"updated\":{},"
                 "\"failed\":{},\"busy_slots\":{},\"busy_released\":{},\"leads_created\":{},\"skipped\":{{",
                 json::JsonQuote(c.mode), c.calendars, c.pages, c.meetings_read, c.cancelled, c.tombstones,
                 c.tombstones_unknown, c.events_written, c.created, c.updated, c.failed, c.busy_slots,
                 c.busy_released, c.leads_created);
  bool first = true;
  for (const auto& [reason, n] : c.skipped) {
    fmt::format_to(it, "{}{}:{}", first ? "" : ",", json::JsonQuote(reason), n);
    first = false;
  }
  out += "}},";
}

std::uint64_t SkippedTotal(const TenantReport& t) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < t.skipped.size(); ++i) {
    const auto reason = static_cast<SkipReason>(i);
    if (reason != SkipReason::kNone && reason != SkipReason::kRemoved) total += t.skipped[i];
  }
  return total;
}

}  // namespace

RunTotals RunReport::Totals() const {
  RunTotals totals;
  for (const auto& t : tenants) {
    totals.messages_read += t.messages_read;
    totals.captured += t.captured;
    totals.quarantined += t.quarantined;
    totals.skipped += SkippedTotal(t);
    totals.errors += t.error_count;
    totals.streams_not_finished += t.streams_not_finished;
  }
  return totals;
}

void Finalize(RunReport& report) {
  std::size_t failed = 0, partial = 0;
  for (auto& t : report.tenants) {
    if (t.status == "failed") {
      ++failed;
    } else if (t.status == "suspended") {
      ++partial;   // work waits for the administrator; not a crmsync failure
    } else if (t.error_count > 0 || t.streams_failed > 0 || t.not_terminal > 0) {
      t.status = "partial";
      ++partial;
    }
  }
  if (!report.tenants.empty() && failed == report.tenants.size()) {
    report.status = "failed";
    report.exit_code = kExitFailure;
  } else if (failed > 0 || partial > 0) {
    report.status = "partial";
    report.exit_code = kExitPartial;
  } else {
    report.status = "complete";
    report.exit_code = kExitComplete;
  }
}

std::string RunReport::ToJson() const {
  std::string out;
  auto it = std::back_inserter(out);
  const RunTotals totals = Totals();
  fmt::format_to(it,
                 "{{\"run_id\":{},\"started_at\":{},\"finished_at\":{},\"duration_seconds\":{:.3f},"
                 "\"status\":{},\"exit_code\":{},\"totals\":{{\"messages_read\":{},\"captured\":{},"
                 "\"quarantined\":{},\"skipped\":{},\"errors\":{}}},\"stopped\":{},\"streams_not_finished\":{},"
                 "\"streams_in_flight_peak\":{},\"tenants\":[",
                 json::JsonQuote(run_id), json::JsonQuote(started_at), json::JsonQuote(finished_at), duration_seconds, json::JsonQuote(status),
                 exit_code, totals.messages_read, totals.captured, totals.quarantined, totals.skipped,
                 totals.errors, json::JsonQuote(stopped), totals.streams_not_finished, streams_in_flight_peak);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    const auto& t = tenants[i];
    if (i > 0) out.push_back(',');
    fmt::format_to(it,
                   "{{\"id\":{},\"status\":{},\"mailbox\":{{\"status\":{}}},\"crm\":{{\"status\":{}}},"
                   "\"reason\":{},\"users_by_status\":{{\"active\":{},\"pending\":{},\"suspended\":{},"
                   "\"disabled\":{}}},\"users\":{},\"streams\":{},\"streams_failed\":{},"
                   "\"pages\":{},\"messages_read\":{},\"captured\":{},\"created\":{},\"updated\":{},"
                   "\"deduplicated\":{},\"quarantined\":{},\"not_terminal\":{},\"streams_not_finished\":{},"
                   "\"leads_created\":{},\"skipped\":{{",
                   json::JsonQuote(t.id), json::JsonQuote(t.status), json::JsonQuote(t.mailbox),
                   json::JsonQuote(t.crm), json::JsonQuote(t.reason), t.users_active, t.users_pending,
                   t.users_suspended, t.users_disabled, t.users, t.streams, t.streams_failed, t.pages,
                   t.messages_read, t.captured, t.created, t.updated, t.deduplicated, t.quarantined,
                   t.not_terminal, t.streams_not_finished, t.leads_created);
    bool first = true;
    for (int r = 1; r < kSkipReasonCount; ++r) {
      fmt::format_to(it, "{}{}:{}", first ? "" : ",", json::JsonQuote(SkipReasonName(static_cast<SkipReason>(r))),
                     t.skipped[r]);
      first = false;
    }
    fmt::format_to(it,
                   "}},\"api_calls\":{{\"mail_token_grants\":{},\"salesforce_token_grants\":{},"
                   "\"mailbox_pages\":{},\"soql_queries\":{},\"distinct_addresses\":{},\"salesforce_upserts\":{}}},",
                   t.api.mail_token_grants, t.api.salesforce_token_grants, t.api.mailbox_pages,
                   t.api.soql_queries, t.api.distinct_addresses, t.api.salesforce_upserts);
    CalendarJson(out, t.calendar);
    fmt::format_to(it, "\"error_count\":{},\"errors\":[", t.error_count);
    for (std::size_t e = 0; e < t.errors.size(); ++e) {
      fmt::format_to(it, "{}{}", e == 0 ? "" : ",", json::JsonQuote(t.errors[e]));
    }
    out += "]}";
  }
  out += "],\"transport\":{";
  bool first = true;
  for (const auto& [name, value] : transport) {
    fmt::format_to(it, "{}{}:{}", first ? "" : ",", json::JsonQuote(name), value);
    first = false;
  }
  out += "}}\n";
  return out;
}

std::string RunReport::ToText() const {
  std::string out;
  auto it = std::back_inserter(out);
  const RunTotals totals = Totals();
  fmt::format_to(it, "crmsync run {}: {} in {:.1f} s (exit {})\n", run_id, status, duration_seconds,
                 exit_code);
  fmt::format_to(it, "  {:<16} {:>8} {:>6} {:>10} {:>9} {:>8} {:>11} {:>6}\n", "tenant", "status",
                 "users", "read", "captured", "skipped", "quarantined", "errors");
  for (const auto& t : tenants) {
    fmt::format_to(it, "  {:<16} {:>8} {:>6} {:>10} {:>9} {:>8} {:>11} {:>6}\n", t.id, t.status,
                   t.users, t.messages_read, t.captured, SkippedTotal(t), t.quarantined,
                   t.error_count);
    if (!t.reason.empty()) fmt::format_to(it, "    suspended: {}\n", t.reason);
    if (t.mailbox != "connected" || t.crm != "connected") {
      fmt::format_to(it, "    mailbox {}, crm {}\n", t.mailbox, t.crm);
    }
    if (t.users_pending + t.users_suspended + t.users_disabled > 0) {
      fmt::format_to(it, "    users: {} active, {} pending, {} suspended, {} disabled\n", t.users_active,
                     t.users_pending, t.users_suspended, t.users_disabled);
    }
    std::string reasons;
    for (int r = 1; r < kSkipReasonCount; ++r) {
      if (t.skipped[r] == 0) continue;
      fmt::format_to(std::back_inserter(reasons), "{}{}={}", reasons.empty() ? "" : ", ",
                     SkipReasonName(static_cast<SkipReason>(r)), t.skipped[r]);
    }
    if (!reasons.empty()) fmt::format_to(it, "    skipped: {}\n", reasons);
    if (t.deduplicated > 0) fmt::format_to(it, "    deduplicated copies: {}\n", t.deduplicated);
    if (t.calendar.mode != "off") {
      fmt::format_to(it, "    calendar ({}): {} meetings read, {} events written, {} cancelled, {} busy slots, {} leads created\n",
                     t.calendar.mode, t.calendar.meetings_read, t.calendar.events_written, t.calendar.cancelled,
                     t.calendar.busy_slots, t.calendar.leads_created);
    }
    fmt::format_to(it,
                   "    api calls: mailbox pages {}, soql {} (for {} distinct addresses), upserts {}, "
                   "token grants {} (mail) {} (salesforce)\n",
                   t.api.mailbox_pages, t.api.soql_queries, t.api.distinct_addresses, t.api.salesforce_upserts,
                   t.api.mail_token_grants, t.api.salesforce_token_grants);
    for (const auto& error : t.errors) fmt::format_to(it, "    error: {}\n", error);
    if (t.error_count > t.errors.size()) {
      fmt::format_to(it, "    ... and {} more errors\n", t.error_count - t.errors.size());
    }
  }
  fmt::format_to(it, "  total: read {}, captured {}, skipped {}, quarantined {}, errors {}\n",
                 totals.messages_read, totals.captured, totals.skipped, totals.quarantined,
                 totals.errors);
  if (!stopped.empty()) {
    fmt::format_to(it, "  stopped early ({}): streams not finished: {}; the next run continues them\n", stopped,
                   totals.streams_not_finished);
  }
  return out;
}

}  // namespace crmsync::engine

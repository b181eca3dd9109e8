#include "floors.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <random>

namespace crmsync::bench {
namespace {

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return b > 0 && a > 0 ? (a + b - 1) / b : 0; }

// A Gmail tenant reads each mailbox with a token delegated to that user; a
// Graph or EWS tenant needs one application token for all its mailboxes.
// The engine keeps them in its state for their lifetime (an hour), so the
// later runs of a benchmark need none.
std::int64_t MailGrantFloor(const TenantFigures& t, bool first_run) {
  if (t.streams == 0 || !first_run) return 0;
  return t.provider == "gmail" ? t.users : 1;
}

}  // namespace

void ComputeFloors(const Options& options, Phase& phase, bool cold_cache) {
  phase.calls = ApiCalls{};
  phase.floor = ApiCalls{};
  for (const TenantFigures& t : phase.tenants) {
    phase.calls.mailbox_pages += t.mailbox_pages;
    phase.calls.token_grants += t.mail_token_grants + t.salesforce_token_grants;
    phase.calls.soql_queries += t.soql_queries;
    phase.calls.salesforce_writes += t.salesforce_upserts;

    // Every stream needs at least one page, and a page holds at most page_size messages.
    phase.floor.mailbox_pages += std::max(t.streams, CeilDiv(t.read, options.page_size));
    const std::int64_t writes = CeilDiv(t.captured, kRecordsPerWrite);
    // On a cold state: one query for the mailbox owners' Salesforce users when anything is
    // written (later runs reuse the stored owners), then one Contact and one Lead query per
    // batch of distinct addresses.
    const std::int64_t lookups = cold_cache ? 2 * CeilDiv(t.distinct_addresses, kAddressesPerLookup) : 0;
    const std::int64_t soql = (cold_cache && writes > 0 ? 1 : 0) + lookups;
    phase.floor.salesforce_writes += writes;
    phase.floor.soql_queries += soql;
    phase.floor.token_grants += MailGrantFloor(t, cold_cache) + (writes + soql > 0 ? 1 : 0);
  }
}

Makespan MinimumMakespan(const LimitsProfile& limits, const Phase& full, std::int64_t in_flight) {
  Makespan result;
  if (!limits.present || limits.latency_min_ms <= 0) return result;
  const double latency = limits.latency_min_ms / 1000.0;
  for (const TenantFigures& t : full.tenants) {
    // Pages of one mailbox follow each other (each nextLink comes with the page before), so
    // the longest stream is a chain; it is at least the average stream.
    const std::int64_t stream_pages = CeilDiv(t.stream_pages, std::max<std::int64_t>(1, t.streams));
    const std::int64_t writes = CeilDiv(t.captured, kRecordsPerWrite);
    const std::int64_t soql = (writes > 0 ? 1 : 0) + 2 * CeilDiv(t.distinct_addresses, kAddressesPerLookup);
    // token grant, user listing, the stream's pages, the CRM lookup of the last page's
    // addresses, then the write of its records
    const double chain =
        latency * static_cast<double>(1 + CeilDiv(t.users, kUsersPerPage) + stream_pages +
                                      (t.distinct_addresses > 0 ? 1 : 0) + (writes > 0 ? 1 : 0));
    if (chain > result.minimum_seconds) {
      result.minimum_seconds = chain;
      result.binding = "latency chain of " + t.id;
    }
    // The per-mailbox rate: requests beyond the window's allowance wait for the next window.
    if (limits.mailbox_requests > 0 && stream_pages > limits.mailbox_requests) {
      const double rate = static_cast<double>((stream_pages - 1) / limits.mailbox_requests) *
                          static_cast<double>(limits.mailbox_window_s);
      if (rate > result.minimum_seconds) {
        result.minimum_seconds = rate;
        result.binding = "mailbox rate of " + t.id;
      }
    }
    // The org's Salesforce calls, at most org_concurrency at once.
    if (limits.org_concurrency > 0) {
      const double org = latency * static_cast<double>(CeilDiv(writes + soql, limits.org_concurrency));
      if (org > result.minimum_seconds) {
        result.minimum_seconds = org;
        result.binding = "salesforce concurrency of " + t.id;
      }
    }
  }
  if (result.minimum_seconds > 0) result.ratio = full.wall / result.minimum_seconds;
  result.ideal_expected_seconds = IdealExpectedMakespan(limits, full);
  if (result.ideal_expected_seconds > 0) result.ideal_ratio = full.wall / result.ideal_expected_seconds;
  if (in_flight > 0) {
    result.capped_in_flight = in_flight;
    result.ideal_capped_seconds = IdealCappedMakespan(limits, full, in_flight);
    if (result.ideal_capped_seconds > 0) result.ideal_capped_ratio = full.wall / result.ideal_capped_seconds;
  }
  return result;
}

double IdealExpectedMakespan(const LimitsProfile& limits, const Phase& full, int trials) {
  return IdealCappedMakespan(limits, full, 0, trials);
}

double IdealCappedMakespan(const LimitsProfile& limits, const Phase& full, std::int64_t in_flight, int trials) {
  if (!limits.present || limits.latency_min_ms <= 0 || trials <= 0) return 0;
  const double low = limits.latency_min_ms / 1000.0;
  const double high = std::max(limits.latency_max_ms / 1000.0, low);
  const double mean = (low + high) / 2;
  std::mt19937_64 rng(20261124);
  std::uniform_real_distribution<double> latency(low, high);
  double longest = 0;
  for (const TenantFigures& t : full.tenants) {
    const std::int64_t streams = std::max<std::int64_t>(1, t.streams);
    // The tenant's pages spread as evenly as the streams allow: some streams have one more.
    const std::int64_t base_pages = t.stream_pages / streams;
    const std::int64_t longer_streams = t.stream_pages % streams;
    const std::int64_t writes = CeilDiv(t.captured, kRecordsPerWrite);
    const std::int64_t sequential_before = 1 + CeilDiv(t.users, kUsersPerPage);   // grant, user listing
    const std::int64_t sequential_after = (t.distinct_addresses > 0 ? 1 : 0) + (writes > 0 ? 1 : 0);
    // A stream keeps one request on the wire at a time; with a cap, a stream
    // starts on the first slot to free up (list scheduling in stream order).
    const std::size_t slots = in_flight > 0 && in_flight < streams ? static_cast<std::size_t>(in_flight) : 0;
    double sum = 0;
    for (int trial = 0; trial < trials; ++trial) {
      double chain = 0;
      for (std::int64_t i = 0; i < sequential_before + sequential_after; ++i) chain += latency(rng);
      std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
      for (std::size_t i = 0; i < slots; ++i) free_at.push(0);
      double slowest_stream = 0;
      for (std::int64_t s = 0; s < streams; ++s) {
        double stream = 0;
        for (std::int64_t p = 0; p < base_pages + (s < longer_streams ? 1 : 0); ++p) stream += latency(rng);
        if (slots > 0) {
          stream += free_at.top();
          free_at.pop();
          free_at.push(stream);
        }
        slowest_stream = std::max(slowest_stream, stream);
      }
      sum += chain + slowest_stream;
    }
    longest = std::max(longest, sum / trials);
    // The limits that do not depend on luck bind the same way as in MinimumMakespan.
    const std::int64_t stream_pages = CeilDiv(t.stream_pages, streams);
    if (limits.mailbox_requests > 0 && stream_pages > limits.mailbox_requests) {
      longest = std::max(longest, static_cast<double>((stream_pages - 1) / limits.mailbox_requests) *
                                      static_cast<double>(limits.mailbox_window_s));
    }
    if (limits.org_concurrency > 0) {
      const std::int64_t soql = (writes > 0 ? 1 : 0) + 2 * CeilDiv(t.distinct_addresses, kAddressesPerLookup);
      longest = std::max(longest, mean * static_cast<double>(CeilDiv(writes + soql, limits.org_concurrency)));
    }
  }
  return longest;
}

}  // namespace crmsync::bench

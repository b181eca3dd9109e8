#include "crmsync/engine/metrics.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/state/store.hpp"

#define CRMSYNC_RETURN_IF_ERROR(expr) \
  do {                                \
    Status _s = (expr);               \
    if (!_s.ok()) return _s;          \
  } while (false)

namespace crmsync::engine {
namespace {

// The user statuses of the state (store.hpp, UserRecord::status).
constexpr const char* kUserStatuses[] = {"active", "pending", "suspended", "disabled"};
constexpr std::string_view kCallPrefix = "calls:";

struct Sample {
  std::string labels;   // rendered: {a="x",b="y"} or ""
  std::string value;
};

struct Family {
  const char* name;
  const char* type;
  const char* help;
  std::vector<Sample> samples;
};

std::string Labels(std::initializer_list<std::pair<const char*, std::string_view>> labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    fmt::format_to(std::back_inserter(out), "{}{}=\"{}\"", first ? "" : ",", name, EscapeLabelValue(value));
    first = false;
  }
  return out + "}";
}

std::string Number(double value) { return fmt::format("{}", value); }

// Reads an unsigned count; a missing or non-integer field is a malformed report.
Status Count(simdjson::dom::object object, std::string_view key, std::uint64_t& out) {
  if (object[key].get_uint64().get(out) != simdjson::SUCCESS) {
    return Status::InvalidArgument(fmt::format("run report: field \"{}\" is missing or not a count", key));
  }
  return Status::Ok();
}

struct TenantCounters {
  std::string id;
  std::uint64_t read = 0, captured = 0, deduplicated = 0, quarantined = 0, errors = 0;
  std::vector<std::pair<std::string, std::uint64_t>> skipped, api_calls;
};

Status ReadPairs(simdjson::dom::object parent, std::string_view key,
                 std::vector<std::pair<std::string, std::uint64_t>>& out) {
  simdjson::dom::object object;
  if (parent[key].get_object().get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument(fmt::format("run report: \"{}\" is missing or not an object", key));
  }
  for (auto field : object) {
    std::uint64_t value = 0;
    if (field.value.get_uint64().get(value) != simdjson::SUCCESS) {
      return Status::InvalidArgument(fmt::format("run report: {}.{} is not a count", key, field.key));
    }
    out.emplace_back(std::string(field.key), value);
  }
  return Status::Ok();
}

Status ReadTenant(simdjson::dom::element element, TenantCounters& t) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("run report: a tenant is not an object");
  }
  std::string_view id;
  if (object["id"].get_string().get(id) != simdjson::SUCCESS) {
    return Status::InvalidArgument("run report: a tenant has no string \"id\"");
  }
  t.id = std::string(id);
  CRMSYNC_RETURN_IF_ERROR(Count(object, "messages_read", t.read));
  CRMSYNC_RETURN_IF_ERROR(Count(object, "captured", t.captured));
  CRMSYNC_RETURN_IF_ERROR(Count(object, "deduplicated", t.deduplicated));
  CRMSYNC_RETURN_IF_ERROR(Count(object, "quarantined", t.quarantined));
  CRMSYNC_RETURN_IF_ERROR(Count(object, "error_count", t.errors));
  CRMSYNC_RETURN_IF_ERROR(ReadPairs(object, "skipped", t.skipped));
  return ReadPairs(object, "api_calls", t.api_calls);
}

std::string ServiceOf(std::string_view kind) {
  const auto dot = kind.find('.');
  return std::string(dot == std::string_view::npos ? kind : kind.substr(0, dot));
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::vector<TenantGauges>> ReadTenantGauges(state::Store& store, const Config& config,
                                                   std::int64_t now_unix_ms) {
  std::vector<TenantGauges> out;
  for (const auto& tenant : config.tenants) {
    TenantGauges gauges;
    gauges.tenant = tenant.id;
    for (const char* status : kUserStatuses) gauges.users[status] = 0;
    std::optional<std::int64_t> oldest;
    Status scanned = store.ForEachUser(tenant.id, [&](const std::string&, const state::UserRecord& user) {
      ++gauges.users[user.status];
      if (user.status != "active") return Status::Ok();
      const std::int64_t since = user.last_success_unix_ms > 0 ? user.last_success_unix_ms : user.status_since_unix_ms;
      if (!oldest || since < *oldest) oldest = since;
      return Status::Ok();
    });
    if (!scanned.ok()) return scanned;
    if (oldest) gauges.lag_seconds = static_cast<double>(std::max<std::int64_t>(0, now_unix_ms - *oldest)) / 1000.0;
    out.push_back(std::move(gauges));
  }
  return out;
}

void AddCallOutcomes(RunReport& report,
                     const std::map<std::pair<std::string, std::string>, std::uint64_t>& by_kind_outcome) {
  for (const auto& [key, count] : by_kind_outcome) {
    report.transport[fmt::format("{}{}:{}", kCallPrefix, key.first, key.second)] = count;
  }
}

Result<std::string> RenderMetrics(std::string_view report_json, const std::vector<TenantGauges>& gauges) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(simdjson::padded_string(report_json)).get(root); error != simdjson::SUCCESS) {
    return Status::InvalidArgument(fmt::format("run report: not valid JSON ({})", simdjson::error_message(error)));
  }
  simdjson::dom::object report;
  simdjson::dom::array tenants;
  if (root.get_object().get(report) != simdjson::SUCCESS || report["tenants"].get_array().get(tenants) != simdjson::SUCCESS) {
    return Status::InvalidArgument("run report: no \"tenants\" list");
  }
  double duration = 0;
  std::int64_t exit_code = 0;
  if (report["duration_seconds"].get_double().get(duration) != simdjson::SUCCESS ||
      report["exit_code"].get_int64().get(exit_code) != simdjson::SUCCESS) {
    return Status::InvalidArgument("run report: \"duration_seconds\" or \"exit_code\" is missing");
  }

  Family read{"crmsync_messages_read_total", "counter", "Messages read from mailboxes in the last run.", {}};
  Family captured{"crmsync_captured_total", "counter",
                  "Distinct Salesforce records written (created or updated) in the last run.", {}};
  Family deduplicated{"crmsync_deduplicated_total", "counter",
                      "Copies of an email folded into a record of the last run.", {}};
  Family skipped{"crmsync_skipped_total", "counter", "Messages not captured in the last run, by reason.", {}};
  Family quarantined{"crmsync_quarantined_total", "counter",
                     "Records Salesforce refused permanently in the last run.", {}};
  Family errors{"crmsync_errors_total", "counter", "Errors of the last run (each names its user and folder).", {}};
  Family tenant_calls{"crmsync_tenant_api_calls_total", "counter", "API calls of the last run per tenant, by call.", {}};
  Family calls{"crmsync_api_calls_total", "counter", "HTTP requests of the last run by service, kind and outcome.", {}};
  Family throttled{"crmsync_throttled_total", "counter", "HTTP 429 answers in the last run, by service.", {}};
  Family users{"crmsync_users", "gauge", "Mailbox users by status at the end of the last run.", {}};
  Family lag{"crmsync_lag_seconds", "gauge",
             "Seconds since the oldest last complete read of a tenant's active users, at the end of the last run.",
             {}};
  Family duration_family{"crmsync_last_run_duration_seconds", "gauge", "Wall time of the last run.", {}};
  Family exit_family{"crmsync_last_run_exit_code", "gauge",
                     "Exit code of the last run: 0 complete, 3 partial, 1 failed.", {}};

  for (auto element : tenants) {
    TenantCounters t;
    CRMSYNC_RETURN_IF_ERROR(ReadTenant(element, t));
    const std::string tenant = Labels({{"tenant", t.id}});
    read.samples.push_back({tenant, std::to_string(t.read)});
    captured.samples.push_back({tenant, std::to_string(t.captured)});
    deduplicated.samples.push_back({tenant, std::to_string(t.deduplicated)});
    quarantined.samples.push_back({tenant, std::to_string(t.quarantined)});
    errors.samples.push_back({tenant, std::to_string(t.errors)});
    for (const auto& [reason, n] : t.skipped) {
      skipped.samples.push_back({Labels({{"tenant", t.id}, {"reason", reason}}), std::to_string(n)});
    }
    for (const auto& [call, n] : t.api_calls) {
      tenant_calls.samples.push_back({Labels({{"tenant", t.id}, {"call", call}}), std::to_string(n)});
    }
  }

  simdjson::dom::object transport;
  if (report["transport"].get_object().get(transport) == simdjson::SUCCESS) {
    std::map<std::string, std::uint64_t> throttled_by_service;
    for (auto field : transport) {
      const std::string_view key = field.key;
      if (key.substr(0, kCallPrefix.size()) != kCallPrefix) continue;
      const std::string_view rest = key.substr(kCallPrefix.size());
      const auto colon = rest.rfind(':');
      std::uint64_t n = 0;
      if (colon == std::string_view::npos || field.value.get_uint64().get(n) != simdjson::SUCCESS) {
        return Status::InvalidArgument(fmt::format("run report: transport.\"{}\" is not KIND:OUTCOME = count", key));
      }
      const std::string_view kind = rest.substr(0, colon), outcome = rest.substr(colon + 1);
      const std::string service = ServiceOf(kind);
      calls.samples.push_back(
          {Labels({{"service", service}, {"kind", kind}, {"outcome", outcome}}), std::to_string(n)});
      auto& throttled_count = throttled_by_service[service];
      if (outcome == "throttled") throttled_count += n;
    }
    for (const auto& [service, n] : throttled_by_service) {
      throttled.samples.push_back({Labels({{"service", service}}), std::to_string(n)});
    }
  }

  for (const auto& g : gauges) {
    for (const auto& [status, n] : g.users) {
      users.samples.push_back({Labels({{"tenant", g.tenant}, {"status", status}}), std::to_string(n)});
    }
    if (g.lag_seconds) lag.samples.push_back({Labels({{"tenant", g.tenant}}), Number(*g.lag_seconds)});
  }
  duration_family.samples.push_back({"", Number(duration)});
  exit_family.samples.push_back({"", std::to_string(exit_code)});

  std::string out;
  for (const Family* family : {&read, &captured, &deduplicated, &skipped, &quarantined, &errors, &tenant_calls, &calls,
                               &throttled, &users, &lag, &duration_family, &exit_family}) {
    if (family->samples.empty()) continue;
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", family->name, family->help, family->name,
                   family->type);
    for (const auto& sample : family->samples) {
      fmt::format_to(std::back_inserter(out), "{}{} {}\n", family->name, sample.labels, sample.value);
    }
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view text) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io(fmt::format("cannot create {}: {}", temp, std::strerror(errno)));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return Status::Io(fmt::format("cannot write {}: {}", temp, std::strerror(saved)));
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    ::unlink(temp.c_str());
    return Status::Io(fmt::format("cannot flush {}: {}", temp, std::strerror(errno)));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return Status::Io(fmt::format("cannot rename {} to {}: {}", temp, path, std::strerror(saved)));
  }
  return Status::Ok();
}

std::string MetricsFileFor(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "metrics.prom").string();
}

}  // namespace crmsync::engine

#include "crmsync/engine/log.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "crmsync/json/escape.hpp"

namespace crmsync::engine {
namespace {

// Shorter values are too likely to occur in ordinary text to be masked.
constexpr std::size_t kMinSecretChars = 6;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string NowIso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return Status::InvalidArgument(fmt::format("--log-level \"{}\" is not one of debug, info, warn, error", text));
}

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "plain") return LogFormat::kPlain;
  if (text == "json") return LogFormat::kJson;
  return Status::InvalidArgument(fmt::format("--log-format \"{}\" is not one of plain, json", text));
}

std::vector<std::string> SecretsOf(const Config& config) {
  std::vector<std::string> out;
  for (const auto& t : config.tenants) {
    for (const std::string* s : {&t.microsoft.client_secret, &t.exchange.client_secret, &t.salesforce.client_secret,
                                 &t.salesforce.refresh_token}) {
      if (!s->empty()) out.push_back(*s);
    }
    for (const auto& s : t.provisioning.hmac_secrets) out.push_back(s);
  }
  return out;
}

Logger::Logger(LogFormat format, LogLevel min_level, std::ostream& out, std::vector<std::string> secrets)
    : format_(format), min_level_(min_level), out_(out) {
  for (auto& s : secrets) AddSecret(std::move(s));
}

void Logger::AddSecret(std::string secret) {
  if (secret.size() >= kMinSecretChars) secrets_.push_back(std::move(secret));
}

std::string Logger::Redact(std::string_view text) const {
  std::string out(text);
  for (const auto& secret : secrets_) {
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "[redacted]");
    }
  }
  return out;
}

void Logger::Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (level < min_level_) return;
  std::string line;
  auto it = std::back_inserter(line);
  if (format_ == LogFormat::kJson) {
    fmt::format_to(it, "{{\"ts\":\"{}\",\"level\":\"{}\",\"msg\":{}", NowIso(), LevelName(level),
                   json::JsonQuote(message));
    for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"tenant", &fields.tenant},
                                      {"user", &fields.user}, {"stream", &fields.stream}}) {
      if (!value->empty()) fmt::format_to(it, ",\"{}\":{}", name, json::JsonQuote(*value));
    }
    line += "}\n";
  } else {
    fmt::format_to(it, "{} {:<5} ", NowIso(), LevelName(level));
    if (!fields.tenant.empty()) fmt::format_to(it, "tenant={} ", fields.tenant);
    if (!fields.user.empty()) fmt::format_to(it, "user={} ", fields.user);
    if (!fields.stream.empty()) fmt::format_to(it, "stream={} ", fields.stream);
    fmt::format_to(it, "{}\n", message);
  }
  const std::string safe = Redact(line);
  std::lock_guard lock(mu_);
  out_ << safe << std::flush;
}

void LogRunReport(Logger& log, const RunReport& report, bool errors_logged) {
  for (const auto& t : report.tenants) {
    const LogFields fields{t.id, "", ""};
    log.Log(t.status == "ok" ? LogLevel::kInfo : LogLevel::kWarn,
            fmt::format("tenant {}: {} users, {} read, {} captured, {} quarantined, {} errors{}", t.status, t.users,
                        t.messages_read, t.captured, t.quarantined, t.error_count,
                        t.reason.empty() ? "" : "; suspended: " + t.reason),
            fields);
    if (!errors_logged) {
      for (const auto& error : t.errors) log.Log(LogLevel::kWarn, error, fields);
    }
    log.Log(LogLevel::kDebug,
            fmt::format("tenant counts: streams {} (failed {}), pages {}, created {}, updated {}, deduplicated {}, "
                        "left for the next run {}, mailbox pages {}, soql queries {}, upserts {}, token grants {}+{}",
                        t.streams, t.streams_failed, t.pages, t.created, t.updated, t.deduplicated, t.not_terminal,
                        t.api.mailbox_pages, t.api.soql_queries, t.api.salesforce_upserts, t.api.mail_token_grants,
                        t.api.salesforce_token_grants),
            fields);
  }
  log.Log(report.exit_code == kExitComplete ? LogLevel::kInfo : LogLevel::kWarn,
          fmt::format("run {} {} in {:.1f} s (exit {})", report.run_id, report.status, report.duration_seconds,
                      report.exit_code));
}

}  // namespace crmsync::engine

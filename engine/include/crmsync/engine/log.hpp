// Structured logs of crmsync run / serve: plain text (default) or JSON lines
// (`--log-format json`: ts, level, msg, and tenant / user / stream when
// known). Every configured secret is replaced by [redacted] before a line is
// written, whatever produced the text. Thread-safe.
#pragma once

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/run_report.hpp"

namespace crmsync::engine {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kPlain, kJson };

struct LogFields {
  std::string tenant, user, stream;
};

Result<LogLevel> ParseLogLevel(std::string_view text);    // debug | info | warn | error
Result<LogFormat> ParseLogFormat(std::string_view text);  // plain | json

// The secrets of a configuration (client secrets, refresh tokens, HMAC
// secrets): what a log line must never contain.
std::vector<std::string> SecretsOf(const Config& config);

class Logger {
 public:
  Logger(LogFormat format, LogLevel min_level, std::ostream& out, std::vector<std::string> secrets);
  void Log(LogLevel level, std::string_view message, const LogFields& fields = {});
  // Adds a secret learned later (a sealed token opened from the state).
  void AddSecret(std::string secret);

 private:
  std::string Redact(std::string_view text) const;

  LogFormat format_;
  LogLevel min_level_;
  std::ostream& out_;
  std::vector<std::string> secrets_;
  std::mutex mu_;
};

// The run as log events: one per tenant (info; warn when not ok), one per
// error it reports (warn; left out with `errors_logged`, when the run logged
// them as they happened, RunOptions::log), its counts (debug), and the
// run's outcome.
void LogRunReport(Logger& log, const RunReport& report, bool errors_logged = false);

}  // namespace crmsync::engine

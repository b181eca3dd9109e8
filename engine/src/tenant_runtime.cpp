#include "tenant_runtime.hpp"

#include "deterministic.hpp"
#include "mailbox_grants.hpp"

#include <fmt/format.h>

#include "crmsync/engine/backfill.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/graph/mail_source.hpp"

namespace crmsync::engine {

void TenantRuntime::LogEvent(LogLevel level, std::string_view message, std::string user, std::string stream) const {
  if (log == nullptr) return;
  log->Log(level, message, LogFields{config != nullptr ? config->id : std::string(), std::move(user), std::move(stream)});
}

void TenantRuntime::AddError(std::string message, std::string user, std::string stream) {
  LogEvent(LogLevel::kWarn, message, std::move(user), std::move(stream));
  std::lock_guard lock(errors_mutex);
  ++report.error_count;
  if (report.errors.size() < kMaxErrorsKept) report.errors.push_back(std::move(message));
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Status MakeMailSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  const TenantConfig& config = *tenant.config;
  switch (config.provider) {
    case MailProvider::kMicrosoft: {
      if (UsesDelegatedMail(config)) return MakeDelegatedGraphSource(tenant, transport, timeout);
      auth::ClientCredentialsConfig ms;
      ms.token_url = fmt::format("{}/{}/oauth2/v2.0/token", TrimSlash(config.microsoft.login_url),
                                 config.microsoft.tenant_id);
      ms.client_id = config.microsoft.client_id;
      ms.client_secret = config.microsoft.client_secret;
      ms.ca_file = config.microsoft.ca_file;
      tenant.mail_tokens = auth::MakeClientCredentialsProvider(transport, ms, {}, tenant.token_keeper.get());
      graph::GraphClientOptions options;
      options.graph_url = TrimSlash(config.microsoft.graph_url);
      options.ca_file = config.microsoft.ca_file;
      options.page_size = config.microsoft.page_size;
      options.timeout = timeout;
      options.mailbox_concurrency =
          BackfillConcurrency(graph::kOutlookMailboxConcurrency, tenant.concurrency_share_percent);
      auto source = std::make_unique<graph::GraphMailSource>(transport, *tenant.mail_tokens, options);
      if (config.capture.mode == CaptureMode::kSelective) source->SetCaptureFolders(config.capture.folders);
      tenant.source = std::move(source);
      return Status::Ok();
    }
    case MailProvider::kGoogle:
      return MakeGoogleSource(tenant, transport, timeout);
    case MailProvider::kExchange:
      return MakeExchangeSource(tenant, transport, timeout);
  }
  return Status::InvalidArgument("unknown mail provider");
}

}  // namespace crmsync::engine

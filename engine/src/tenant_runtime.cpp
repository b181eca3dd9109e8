#include "tenant_runtime.hpp"

#include "deterministic.hpp"

#include <fmt/format.h>

#include "crmsync/engine/text.hpp"
#include "crmsync/graph/mail_source.hpp"

namespace crmsync::engine {

void TenantRuntime::AddError(std::string message) {
  std::lock_guard lock(errors_mutex);
  ++report.error_count;
  if (report.errors.size() < kMaxErrorsKept) report.errors.push_back(std::move(message));
}

namespace {

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

static Status MakeMailSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  const TenantConfig& config = *tenant.config;
  switch (config.provider) {
    case MailProvider::kMicrosoft: {
      auth::ClientCredentialsConfig ms;
      ms.token_url = fmt::format("{}/{}/oauth2/v2.0/token", TrimSlash(config.microsoft.login_url),
                                 config.microsoft.tenant_id);
      ms.client_id = config.microsoft.client_id;
      ms.client_secret = config.microsoft.client_secret;
      ms.ca_file = config.microsoft.ca_file;
      tenant.mail_tokens = auth::MakeClientCredentialsProvider(transport, ms);
      graph::GraphClientOptions options;
      options.graph_url = TrimSlash(config.microsoft.graph_url);
      options.ca_file = config.microsoft.ca_file;
      options.page_size = config.microsoft.page_size;
      options.timeout = timeout;
      tenant.source = std::make_unique<graph::GraphMailSource>(transport, *tenant.mail_tokens, options);
      return Status::Ok();
    }
    case MailProvider::kGoogle:
      return MakeGoogleSource(tenant, transport, timeout);
    case MailProvider::kExchange:
      return MakeExchangeSource(tenant, transport, timeout);
  }
  return Status::InvalidArgument("unknown mail provider");
}

void SetUpTenant(TenantRuntime& tenant, http::Transport& transport, int request_timeout_seconds,
                 int max_writes_in_flight) {
  const TenantConfig& config = *tenant.config;
  tenant.report.id = config.id;
  tenant.batcher = Batcher(BatcherLimits{.max_inflight_requests = static_cast<std::size_t>(max_writes_in_flight)});
  const std::chrono::milliseconds timeout(request_timeout_seconds * 1000LL);

  Status source = MakeMailSource(tenant, transport, timeout);
  if (!source.ok()) {
    tenant.report.status = "failed";
    tenant.AddError(fmt::format("tenant {}: {}", config.id, source.message()));
    return;
  }

  auth::SalesforceRefreshConfig sf;
  sf.token_url = TrimSlash(config.salesforce.login_url) + "/services/oauth2/token";
  sf.client_id = config.salesforce.client_id;
  sf.client_secret = config.salesforce.client_secret;
  sf.refresh_token = config.salesforce.refresh_token;
  sf.ca_file = config.salesforce.ca_file;
  tenant.salesforce_session = auth::MakeSalesforceRefreshProvider(transport, sf);

  salesforce::SalesforceClientOptions sf_options;
  sf_options.api_version = config.salesforce.api_version;
  sf_options.ca_file = config.salesforce.ca_file;
  sf_options.timeout = timeout;
  tenant.salesforce =
      std::make_unique<salesforce::SalesforceClient>(transport, *tenant.salesforce_session, sf_options);
  tenant.crm = std::make_unique<CrmResolver>(config.id, *tenant.salesforce);

  auto users = tenant.source->ListUsers();
  if (!users.ok()) {
    tenant.report.status = "failed";
    tenant.AddError(fmt::format("tenant {}: cannot list the organization's users: {}", config.id,
                                users.status().ToString()));
    return;
  }
  std::vector<MailboxUser> mailbox_users;
  std::vector<std::string> primaries;
  for (const auto& user : users.value()) {
    MailboxUser m;
    m.id = user.id;
    m.primary = AsciiLower(user.primary);
    for (const auto& alias : user.aliases) m.aliases.push_back(AsciiLower(alias));
    m.enabled = user.enabled;
    primaries.push_back(m.primary);
    mailbox_users.push_back(std::move(m));
  }
  tenant.mail_users = std::move(users.value());
  auto owners = tenant.salesforce->QueryByEmailBlocking("User", primaries);
  if (!owners.ok()) {
    tenant.report.status = "failed";
    tenant.AddError(fmt::format("tenant {}: cannot read Salesforce users: {}", config.id,
                                owners.status().ToString()));
    return;
  }
  std::unordered_map<std::string, std::string> owner_by_email;
  for (const auto& match : owners.value()) KeepSmallestId(owner_by_email[match.email], match.id);
  for (auto& m : mailbox_users) {
    auto it = owner_by_email.find(m.primary);
    if (it != owner_by_email.end()) m.salesforce_user_id = it->second;
  }
  tenant.report.users = mailbox_users.size();
  tenant.directory = std::make_unique<TenantDirectory>(config.domains, std::move(mailbox_users));
  tenant.ready = true;
}

}  // namespace crmsync::engine

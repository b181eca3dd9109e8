// An Exchange impersonation tenant: EWS for mail (token scope
// https://outlook.office365.com/.default) and Microsoft Graph /users of the
// same application for the user list, since EWS has no user directory.
#include <fmt/format.h>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/ews/mail_source.hpp"
#include "crmsync/graph/mail_source.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {
namespace {

constexpr const char* kEwsScope = "https://outlook.office365.com/.default";
constexpr const char* kGraphScope = "https://graph.microsoft.com/.default";

// TrimSlash: tenant_runtime.hpp.

// The Graph side: its own token (one resource per token) and users client.
struct GraphDirectory {
  std::unique_ptr<auth::TokenProvider> tokens;
  std::unique_ptr<graph::GraphMailSource> source;
};

}  // namespace

Status MakeExchangeSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  const ExchangeConfig& config = tenant.config->exchange;
  auth::ClientCredentialsConfig credentials;
  credentials.token_url = fmt::format("{}/{}/oauth2/v2.0/token", TrimSlash(config.login_url), config.tenant_id);
  credentials.client_id = config.client_id;
  credentials.client_secret = config.client_secret;
  credentials.ca_file = config.ca_file;

  auto directory = std::make_shared<GraphDirectory>();
  auth::ClientCredentialsConfig graph_credentials = credentials;
  graph_credentials.scope = kGraphScope;
  directory->tokens = auth::MakeClientCredentialsProvider(transport, graph_credentials, {}, tenant.token_keeper.get());
  graph::GraphClientOptions graph_options;
  graph_options.graph_url = TrimSlash(config.graph_url);
  graph_options.ca_file = config.ca_file;
  graph_options.timeout = timeout;
  directory->source = std::make_unique<graph::GraphMailSource>(transport, *directory->tokens, graph_options);

  credentials.scope = kEwsScope;
  tenant.mail_tokens = auth::MakeClientCredentialsProvider(transport, credentials, {}, tenant.token_keeper.get());
  ews::EwsMailSourceOptions options;
  options.client.ews_url = config.ews_url;
  options.client.ca_file = config.ca_file;
  options.client.timeout = timeout;
  options.page_size = config.page_size;
  options.list_users = [directory] { return directory->source->ListUsers(); };
  options.list_group_members = [directory](const std::string& group) {
    return directory->source->ListGroupMembers(group);
  };
  auto source = std::make_unique<ews::EwsMailSource>(transport, *tenant.mail_tokens, std::move(options));
  const CaptureConfig& capture = tenant.config->capture;
  if (capture.mode == CaptureMode::kSelective) source->SetCaptureFolders(capture.folders);
  tenant.source = std::move(source);
  return Status::Ok();
}

}  // namespace crmsync::engine

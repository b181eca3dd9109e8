#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "crmsync/auth/service_account.hpp"
#include "crmsync/engine/secrets.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "mailbox_grants.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(fmt::format("cannot read the service-account key file {}", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status MakeGoogleSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  const TenantConfig& config = *tenant.config;
  if (UsesDelegatedMail(config)) return MakeOAuthUserGmailSource(tenant, transport, timeout);
  // The sealed key stored by `crmsync connect google` wins over key_file.
  Result<std::string> key_json = Status::NotFound("");
  if (tenant.load_sealed_google_key) key_json = tenant.load_sealed_google_key();
  if (!key_json.ok() && key_json.status().code() != StatusCode::kNotFound) return key_json.status();
  if (!key_json.ok()) {
    if (config.google.key_file.empty()) {
      return Status::InvalidArgument(fmt::format(
          "no service-account key: run `crmsync connect google --tenant {} --key-file FILE` or set "
          "tenants.google.key_file",
          config.id));
    }
    key_json = ReadKeyFile(config.google.key_file);
    if (!key_json.ok()) return key_json.status();
  }
  auto key = auth::ParseServiceAccountKey(key_json.value());
  if (!key.ok()) return Status::InvalidArgument("service-account key: " + key.status().message());

  gmail::GmailSourceOptions options;
  options.key = std::move(key.value());
  options.admin_email = config.google.admin_email;
  options.customer = config.google.customer;
  options.api_url = config.google.api_url;
  options.directory_url = config.google.directory_url;
  options.ca_file = config.google.ca_file;
  if (!config.google.scopes.empty()) options.scopes = config.google.scopes;
  options.page_size = config.google.page_size;
  if (!config.google.since.empty()) {
    // Gmail's search syntax writes dates as YYYY/MM/DD.
    options.since_date = config.google.since;
    std::replace(options.since_date.begin(), options.since_date.end(), '-', '/');
  }
  options.timeout = timeout;
  options.token_keeper = tenant.token_keeper.get();
  // Selective capture names Gmail labels; messages carry user labels by id.
  options.resolve_label_names =
      config.capture.mode == CaptureMode::kSelective && !config.capture.labels.empty();
  tenant.source = gmail::MakeGmailMailSource(transport, std::move(options));
  return Status::Ok();
}

}  // namespace crmsync::engine

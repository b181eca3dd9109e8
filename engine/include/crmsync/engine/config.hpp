// The crmsync configuration (TOML). Every field is documented in README.md,
// "Configuration". Unknown keys are errors, so a typo never silently falls
// back to a default. Errors name the file, the key and the value at fault.
#pragma once

#include <string>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::engine {

struct MicrosoftConfig {
  std::string tenant_id;       // directory (tenant) id
  std::string client_id;       // application id
  std::string client_secret;   // secret: never logged
  std::string login_url = "https://login.microsoftonline.com";
  std::string graph_url = "https://graph.microsoft.com";
  std::string ca_file;         // extra CA bundle trusted for these hosts
  int page_size = 100;         // Prefer: odata.maxpagesize (1..1000)
};

// Google Workspace: one in-org service account with domain-wide delegation.
struct GoogleConfig {
  std::string key_file;        // the service account's JSON key file (secret: never logged)
  std::string admin_email;     // a user the Directory API is read as
  std::string customer = "my_customer";
  std::string api_url = "https://gmail.googleapis.com";
  std::string directory_url = "https://admin.googleapis.com";
  std::string ca_file;
  std::vector<std::string> scopes;   // empty: the read-only defaults
  std::string since;                 // initial window start, YYYY-MM-DD; empty: all mail
  int page_size = 100;               // messages.list / history.list maxResults (1..500)
};

enum class MailProvider { kMicrosoft, kGoogle };

struct SalesforceConfig {
  std::string login_url = "https://login.salesforce.com";
  std::string client_id;
  std::string client_secret;   // secret
  std::string refresh_token;   // secret: the service account's refresh token
  std::string api_version = "60.0";
  std::string ca_file;
};

struct TenantConfig {
  std::string id;
  std::vector<std::string> domains;
  MailProvider provider = MailProvider::kMicrosoft;   // which of the two tables is set
  MicrosoftConfig microsoft;
  GoogleConfig google;
  SalesforceConfig salesforce;
};

struct EngineConfig {
  std::string state_dir;                 // default ./crmsync-state
  int max_streams_in_flight = 64;        // mailbox folders read at once
  int max_writes_in_flight = 4;          // concurrent upserts per tenant
  int request_timeout_seconds = 60;
};

struct Config {
  std::string path;
  EngineConfig engine;
  std::vector<TenantConfig> tenants;
};

Result<Config> LoadConfig(const std::string& path);
// For tests: parse configuration text as if read from `path`.
Result<Config> ParseConfig(std::string_view text, const std::string& path);

}  // namespace crmsync::engine

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
  MicrosoftConfig microsoft;
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

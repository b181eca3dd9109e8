#include "crmsync/engine/config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config_reader.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/salesforce/host_allowlist.hpp"

namespace crmsync::engine {
namespace {

using config_detail::TableReader;
#define CRMSYNC_TRY CRMSYNC_RETURN_IF_ERROR

Status CheckUrl(const std::string& file, const std::string& key, const std::string& url) {
  if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("{}: {} = \"{}\" is not an http(s) URL", file, key, url));
}

Status ReadMicrosoft(const toml::table& table, const std::string& file, const std::string& prefix,
                     MicrosoftConfig& out) {
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.String("tenant_id", out.tenant_id, true));
  CRMSYNC_TRY(r.String("client_id", out.client_id, true));
  CRMSYNC_TRY(r.String("client_secret", out.client_secret, true, true));
  CRMSYNC_TRY(r.String("login_url", out.login_url, false));
  CRMSYNC_TRY(r.String("graph_url", out.graph_url, false));
  CRMSYNC_TRY(r.String("ca_file", out.ca_file, false));
  CRMSYNC_TRY(r.Int("page_size", out.page_size, 1, 1000));
  int access = 0;
  CRMSYNC_TRY(r.Choice("access", access, {"application", "delegated"}));
  out.access = static_cast<MicrosoftAccess>(access);
  CRMSYNC_TRY(r.RejectUnknown());
  CRMSYNC_TRY(CheckUrl(file, prefix + "login_url", out.login_url));
  return CheckUrl(file, prefix + "graph_url", out.graph_url);
}

bool IsIsoDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int month = std::stoi(text.substr(5, 2));
  const int day = std::stoi(text.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Status ReadGoogle(const toml::table& table, const std::string& file, const std::string& prefix,
                  GoogleConfig& out) {
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.String("key_file", out.key_file, false));
  CRMSYNC_TRY(r.String("admin_email", out.admin_email, false));
  CRMSYNC_TRY(r.String("customer", out.customer, false));
  CRMSYNC_TRY(r.String("api_url", out.api_url, false));
  CRMSYNC_TRY(r.String("directory_url", out.directory_url, false));
  CRMSYNC_TRY(r.String("ca_file", out.ca_file, false));
  CRMSYNC_TRY(r.StringList("scopes", out.scopes, false));
  CRMSYNC_TRY(r.Int("page_size", out.page_size, 1, 500));
  CRMSYNC_TRY(r.String("since", out.since, false));
  int access = 0;
  CRMSYNC_TRY(r.Choice("access", access, {"service_account", "oauth_user"}));
  out.access = static_cast<GoogleAccess>(access);
  const bool oauth_user = out.access == GoogleAccess::kOAuthUser;
  // The service account reads the directory as admin_email; users' own
  // consent goes through an OAuth client instead.
  if (!oauth_user && out.admin_email.empty()) CRMSYNC_TRY(r.String("admin_email", out.admin_email, true));
  CRMSYNC_TRY(r.String("client_id", out.client_id, oauth_user));
  CRMSYNC_TRY(r.String("client_secret", out.client_secret, oauth_user, true));
  CRMSYNC_TRY(r.String("auth_url", out.auth_url, false));
  CRMSYNC_TRY(r.String("token_url", out.token_url, false));
  CRMSYNC_TRY(r.RejectUnknown());
  if (!out.since.empty() && !IsIsoDate(out.since)) {
    return Status::InvalidArgument(
        fmt::format("{}: {}since = \"{}\" is not a date like 2026-01-31", file, prefix, out.since));
  }
  CRMSYNC_TRY(CheckUrl(file, prefix + "api_url", out.api_url));
  CRMSYNC_TRY(CheckUrl(file, prefix + "auth_url", out.auth_url));
  CRMSYNC_TRY(CheckUrl(file, prefix + "token_url", out.token_url));
  return CheckUrl(file, prefix + "directory_url", out.directory_url);
}

Status ReadSalesforce(const toml::table& table, const std::string& file, const std::string& prefix,
                      SalesforceConfig& out) {
  TableReader r(table, file, prefix);
  int connection = 0;
  CRMSYNC_TRY(r.Choice("connection", connection, {"production", "sandbox", "my_domain", "experience_site"}));
  out.connection = static_cast<SalesforceConnection>(connection);
  if (out.connection == SalesforceConnection::kSandbox) out.login_url = "https://test.salesforce.com";
  const bool needs_login_url = out.connection == SalesforceConnection::kMyDomain ||
                               out.connection == SalesforceConnection::kExperienceSite;
  CRMSYNC_TRY(r.String("login_url", out.login_url, needs_login_url));
  CRMSYNC_TRY(r.String("client_id", out.client_id, true));
  CRMSYNC_TRY(r.String("client_secret", out.client_secret, true, true));
  CRMSYNC_TRY(r.String("refresh_token", out.refresh_token, false, true));
  CRMSYNC_TRY(r.String("api_version", out.api_version, false));
  CRMSYNC_TRY(r.String("ca_file", out.ca_file, false));
  int object_model = 0;
  CRMSYNC_TRY(r.Choice("object_model", object_model, {"task", "enhanced_email"}));
  out.object_model = static_cast<ObjectModel>(object_model);
  CRMSYNC_TRY(r.Bool("allow_loopback", out.allow_loopback));
  CRMSYNC_TRY(r.RejectUnknown());
  if (out.api_version.empty() || out.api_version.find_first_not_of("0123456789.") != std::string::npos) {
    return Status::InvalidArgument(fmt::format("{}: {}api_version = \"{}\" is not a version like 60.0",
                                               file, prefix, out.api_version));
  }
  Status host = salesforce::CheckSalesforceUrl(out.login_url, out.allow_loopback);
  if (!host.ok()) {
    return Status::InvalidArgument(fmt::format("{}: {}login_url: {}", file, prefix, host.message()));
  }
  return Status::Ok();
}

Status ReadExchange(const toml::table& table, const std::string& file, const std::string& prefix,
                    ExchangeConfig& out) {
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.String("tenant_id", out.tenant_id, true));
  CRMSYNC_TRY(r.String("client_id", out.client_id, true));
  CRMSYNC_TRY(r.String("client_secret", out.client_secret, true, true));
  CRMSYNC_TRY(r.String("login_url", out.login_url, false));
  CRMSYNC_TRY(r.String("ews_url", out.ews_url, false));
  CRMSYNC_TRY(r.String("graph_url", out.graph_url, false));
  CRMSYNC_TRY(r.String("ca_file", out.ca_file, false));
  CRMSYNC_TRY(r.Int("page_size", out.page_size, 1, 512));
  CRMSYNC_TRY(r.RejectUnknown());
  CRMSYNC_TRY(CheckUrl(file, prefix + "login_url", out.login_url));
  CRMSYNC_TRY(CheckUrl(file, prefix + "graph_url", out.graph_url));
  return CheckUrl(file, prefix + "ews_url", out.ews_url);
}

Status ReadUsers(const toml::table& table, const std::string& file, const std::string& prefix,
                 UsersConfig& out) {
  TableReader r(table, file, prefix);
  int source = 0;
  CRMSYNC_TRY(r.Choice("source", source, {"directory", "group", "listed"}));
  out.source = static_cast<UserSource>(source);
  CRMSYNC_TRY(r.String("group", out.group, out.source == UserSource::kGroup));
  CRMSYNC_TRY(r.StringList("list", out.list, out.source == UserSource::kListed));
  for (auto& address : out.list) address = AsciiLower(address);
  int match = 0;
  CRMSYNC_TRY(r.Choice("salesforce_match", match, {"email", "federation_id", "explicit"}));
  out.match = static_cast<SalesforceUserMatch>(match);
  if (const toml::table* map = r.Table("salesforce_map")) {
    for (const auto& [address, id] : *map) {
      const auto* value = id.as_string();
      if (value == nullptr || value->get().empty()) {
        return Status::InvalidArgument(fmt::format("{}:{}: {}salesforce_map.\"{}\" must be a Salesforce User id",
                                                   file, id.source().begin.line, prefix, address.str()));
      }
      out.salesforce_map.emplace_back(AsciiLower(address.str()), value->get());
    }
  }
  CRMSYNC_TRY(r.RejectUnknown());
  if (out.match == SalesforceUserMatch::kExplicit && out.salesforce_map.empty()) {
    return r.Error("salesforce_map", "missing: salesforce_match = \"explicit\" needs a [salesforce_map] table");
  }
  // One mailbox <-> one Salesforce user: a Salesforce user mapped twice is refused.
  std::set<std::string> seen;
  for (const auto& [address, id] : out.salesforce_map) {
    if (!seen.insert(id).second) {
      return r.Error("salesforce_map", fmt::format("maps two mailboxes to the Salesforce user {} "
                                                   "(one mailbox per Salesforce user)", id));
    }
  }
  return Status::Ok();
}

Status ReadProvisioning(const toml::table& table, const std::string& file, const std::string& prefix,
                        ProvisioningConfig& out) {
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.StringList("hmac_secrets", out.hmac_secrets, true));
  CRMSYNC_TRY(r.RejectUnknown());
  if (out.hmac_secrets.size() > 2) {
    return r.Error("hmac_secrets", "holds more than two secrets (the current one, then at most one previous)");
  }
  for (const auto& secret : out.hmac_secrets) {
    // The value itself is never echoed.
    if (secret.size() < 32) return r.Error("hmac_secrets", "holds a secret shorter than 32 characters");
  }
  return Status::Ok();
}

Status ReadTenant(const toml::table& table, const std::string& file, std::size_t index,
                  TenantConfig& out) {
  const std::string prefix = fmt::format("tenants[{}].", index);
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.String("id", out.id, true));
  CRMSYNC_TRY(r.StringList("domains", out.domains, true));
  for (auto& domain : out.domains) domain = AsciiLower(domain);
  int authorization = 0;
  CRMSYNC_TRY(r.Choice("authorization", authorization, {"service_account", "per_user"}));
  out.authorization = static_cast<Authorization>(authorization);
  int activation = 0;
  CRMSYNC_TRY(r.Choice("activation", activation, {"immediate", "first_logon"}));
  out.activation = static_cast<Activation>(activation);
  const toml::table* microsoft = r.Table("microsoft");
  const toml::table* google = r.Table("google");
  const toml::table* exchange = r.Table("exchange");
  const toml::table* salesforce = r.Table("salesforce");
  const toml::table* users = r.Table("users");
  const toml::table* provisioning = r.Table("provisioning");
  const toml::table* capture = r.Table("capture");
  const toml::table* budget = r.Table("budget");
  CRMSYNC_TRY(r.RejectUnknown());
  if (budget != nullptr) {
    TableReader b(*budget, file, prefix + "budget.");
    CRMSYNC_TRY(b.Int("daily_salesforce_calls", out.budget.daily_salesforce_calls, 0, 1000000000));
    CRMSYNC_TRY(b.Int("backfill_share_percent", out.budget.backfill_share_percent, 1, 100));
    CRMSYNC_TRY(b.RejectUnknown());
  }
  const int mail_tables = (microsoft != nullptr) + (google != nullptr) + (exchange != nullptr);
  if (mail_tables != 1) {
    return r.Error("microsoft", "/ google / exchange: exactly one mail system is required "
                                "(a [tenants.microsoft], [tenants.google] or [tenants.exchange] table)");
  }
  if (salesforce == nullptr) return r.Error("salesforce", "missing (a [tenants.salesforce] table is required)");
  if (microsoft != nullptr) {
    out.provider = MailProvider::kMicrosoft;
    CRMSYNC_TRY(ReadMicrosoft(*microsoft, file, prefix + "microsoft.", out.microsoft));
  } else if (google != nullptr) {
    out.provider = MailProvider::kGoogle;
    CRMSYNC_TRY(ReadGoogle(*google, file, prefix + "google.", out.google));
  } else {
    out.provider = MailProvider::kExchange;
    CRMSYNC_TRY(ReadExchange(*exchange, file, prefix + "exchange.", out.exchange));
  }
  CRMSYNC_TRY(ReadSalesforce(*salesforce, file, prefix + "salesforce.", out.salesforce));
  if (users != nullptr) CRMSYNC_TRY(ReadUsers(*users, file, prefix + "users.", out.users));
  if (out.provider == MailProvider::kMicrosoft && out.microsoft.access == MicrosoftAccess::kDelegated &&
      out.users.source != UserSource::kListed) {
    // Reading the directory or a group needs admin-level access.
    return Status::InvalidArgument(fmt::format(
        "{}: tenant \"{}\": {}microsoft.access = \"delegated\" needs {}users.source = \"listed\" (the users "
        "who each connect their own mailbox); source = \"{}\" needs application access",
        file, out.id, prefix, prefix, out.users.source == UserSource::kGroup ? "group" : "directory"));
  }
  if (out.provider == MailProvider::kGoogle && out.google.access == GoogleAccess::kOAuthUser &&
      out.users.source != UserSource::kListed) {
    // The Directory API (users, group members) needs the admin service account.
    return Status::InvalidArgument(fmt::format(
        "{}: tenant \"{}\": {}google.access = \"oauth_user\" needs {}users.source = \"listed\" (the users "
        "who each connect their own mailbox); source = \"{}\" needs the service account (access = "
        "\"service_account\")",
        file, out.id, prefix, prefix, out.users.source == UserSource::kGroup ? "group" : "directory"));
  }
  if (provisioning != nullptr) {
    CRMSYNC_TRY(ReadProvisioning(*provisioning, file, prefix + "provisioning.", out.provisioning));
  }
  if (capture != nullptr) {
    CRMSYNC_TRY(config_detail::ReadCapture(*capture, file, prefix + "capture.", out.capture));
  }
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  // Debian's toml++ is built with exceptions: a syntax error throws.
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", path, error.source().begin.line,
                                               error.source().begin.column, error.description()));
  }
  Config config;
  config.path = path;
  TableReader r(root, path, "");
  if (const toml::table* engine = r.Table("engine")) {
    TableReader e(*engine, path, "engine.");
    CRMSYNC_TRY(e.String("state_dir", config.engine.state_dir, false));
    CRMSYNC_TRY(e.Int("max_streams_in_flight", config.engine.max_streams_in_flight, 1, 100000));
    CRMSYNC_TRY(e.Int("max_writes_in_flight", config.engine.max_writes_in_flight, 1, 64));
    CRMSYNC_TRY(e.Int("max_connections_per_host", config.engine.max_connections_per_host, 1, 4096));
    CRMSYNC_TRY(e.Int("request_timeout_seconds", config.engine.request_timeout_seconds, 1, 3600));
    CRMSYNC_TRY(e.Int("retry_base_ms", config.engine.retry_base_ms, 1, 60000));
    CRMSYNC_TRY(e.Int("retry_cap_ms", config.engine.retry_cap_ms, 1, 600000));
    if (config.engine.retry_cap_ms < config.engine.retry_base_ms) {
      return Status::InvalidArgument(fmt::format("{}: engine.retry_cap_ms ({}) is below engine.retry_base_ms ({})",
                                                 path, config.engine.retry_cap_ms, config.engine.retry_base_ms));
    }
    CRMSYNC_TRY(e.RejectUnknown());
  }
  const toml::node* tenants_node = root.get("tenants");
  r.Table("tenants");  // marks the key as known
  CRMSYNC_TRY(r.RejectUnknown());
  const toml::array* tenants = tenants_node == nullptr ? nullptr : tenants_node->as_array();
  if (tenants == nullptr || tenants->empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: no [[tenants]] configured (at least one organization is required)", path));
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < tenants->size(); ++i) {
    const toml::table* table = tenants->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(fmt::format("{}: tenants[{}] must be a table", path, i));
    TenantConfig tenant;
    CRMSYNC_TRY(ReadTenant(*table, path, i, tenant));
    if (!ids.insert(tenant.id).second) {
      return Status::InvalidArgument(fmt::format("{}: tenants[{}].id = \"{}\" is used twice", path, i, tenant.id));
    }
    config.tenants.push_back(std::move(tenant));
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(fmt::format("{}: cannot read the configuration file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), path);
}

}  // namespace crmsync::engine

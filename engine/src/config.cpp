#include "crmsync/engine/config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace crmsync::engine {
namespace {

// Reads typed fields of one TOML table, remembering which keys were used so
// that leftovers can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  Status String(const char* key, std::string& out, bool required, bool secret = false) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) return Error(key, "missing (a string is required)");
      return Status::Ok();
    }
    const auto* value = node->as_string();
    if (value == nullptr) return Error(key, fmt::format("must be a string, found {}", TypeName(*node)));
    out = value->get();
    if (required && out.empty()) {
      return Error(key, secret ? "is empty" : "is empty (a value is required)");
    }
    return Status::Ok();
  }

  Status Int(const char* key, int& out, int min, int max) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_integer();
    if (value == nullptr) return Error(key, fmt::format("must be an integer, found {}", TypeName(*node)));
    const auto v = value->get();
    if (v < min || v > max) return Error(key, fmt::format("= {} is out of range {}..{}", v, min, max));
    out = static_cast<int>(v);
    return Status::Ok();
  }

  Status StringList(const char* key, std::vector<std::string>& out, bool required) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) return Error(key, "missing (a list of strings is required)");
      return Status::Ok();
    }
    const auto* array = node->as_array();
    if (array == nullptr) return Error(key, fmt::format("must be a list of strings, found {}", TypeName(*node)));
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto* item = array->get(i)->as_string();
      if (item == nullptr) return Error(fmt::format("{}[{}]", key, i), "must be a string");
      out.push_back(item->get());
    }
    if (required && out.empty()) return Error(key, "is empty (at least one value is required)");
    return Status::Ok();
  }

  const toml::table* Table(const char* key) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    return node == nullptr ? nullptr : node->as_table();
  }

  Status RejectUnknown() const {
    for (const auto& [key, node] : table_) {
      if (used_.count(std::string(key.str())) == 0) {
        return Status::InvalidArgument(fmt::format("{}:{}: unknown key '{}{}'", file_,
                                                   node.source().begin.line, prefix_, key.str()));
      }
    }
    return Status::Ok();
  }

  Status Error(std::string_view key, std::string_view problem) const {
    const toml::node* node = table_.get(key);
    const auto line = node != nullptr ? node->source().begin.line : table_.source().begin.line;
    return Status::InvalidArgument(fmt::format("{}:{}: {}{} {}", file_, line, prefix_, key, problem));
  }

 private:
  static std::string_view TypeName(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "a list";
      case toml::node_type::table: return "a table";
      default: return "another type";
    }
  }

  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> used_;
};

#define CRMSYNC_TRY(expr)              \
  do {                                 \
    Status _s = (expr);                \
    if (!_s.ok()) return _s;           \
  } while (false)

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
  CRMSYNC_TRY(r.String("admin_email", out.admin_email, true));
  CRMSYNC_TRY(r.String("customer", out.customer, false));
  CRMSYNC_TRY(r.String("api_url", out.api_url, false));
  CRMSYNC_TRY(r.String("directory_url", out.directory_url, false));
  CRMSYNC_TRY(r.String("ca_file", out.ca_file, false));
  CRMSYNC_TRY(r.StringList("scopes", out.scopes, false));
  CRMSYNC_TRY(r.Int("page_size", out.page_size, 1, 500));
  CRMSYNC_TRY(r.String("since", out.since, false));
  CRMSYNC_TRY(r.RejectUnknown());
  if (!out.since.empty() && !IsIsoDate(out.since)) {
    return Status::InvalidArgument(
        fmt::format("{}: {}since = \"{}\" is not a date like 2026-01-31", file, prefix, out.since));
  }
  CRMSYNC_TRY(CheckUrl(file, prefix + "api_url", out.api_url));
  return CheckUrl(file, prefix + "directory_url", out.directory_url);
}

Status ReadSalesforce(const toml::table& table, const std::string& file, const std::string& prefix,
                      SalesforceConfig& out) {
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.String("login_url", out.login_url, false));
  CRMSYNC_TRY(r.String("client_id", out.client_id, true));
  CRMSYNC_TRY(r.String("client_secret", out.client_secret, true, true));
  CRMSYNC_TRY(r.String("refresh_token", out.refresh_token, true, true));
  CRMSYNC_TRY(r.String("api_version", out.api_version, false));
  CRMSYNC_TRY(r.String("ca_file", out.ca_file, false));
  CRMSYNC_TRY(r.RejectUnknown());
  if (out.api_version.empty() || out.api_version.find_first_not_of("0123456789.") != std::string::npos) {
    return Status::InvalidArgument(fmt::format("{}: {}api_version = \"{}\" is not a version like 60.0",
                                               file, prefix, out.api_version));
  }
  return CheckUrl(file, prefix + "login_url", out.login_url);
}

Status ReadTenant(const toml::table& table, const std::string& file, std::size_t index,
                  TenantConfig& out) {
  const std::string prefix = fmt::format("tenants[{}].", index);
  TableReader r(table, file, prefix);
  CRMSYNC_TRY(r.String("id", out.id, true));
  CRMSYNC_TRY(r.StringList("domains", out.domains, true));
  const toml::table* microsoft = r.Table("microsoft");
  const toml::table* google = r.Table("google");
  const toml::table* salesforce = r.Table("salesforce");
  CRMSYNC_TRY(r.RejectUnknown());
  if ((microsoft == nullptr) == (google == nullptr)) {
    return r.Error("microsoft", "and google: exactly one mail system is required "
                                "(a [tenants.microsoft] or a [tenants.google] table)");
  }
  if (salesforce == nullptr) return r.Error("salesforce", "missing (a [tenants.salesforce] table is required)");
  if (microsoft != nullptr) {
    out.provider = MailProvider::kMicrosoft;
    CRMSYNC_TRY(ReadMicrosoft(*microsoft, file, prefix + "microsoft.", out.microsoft));
  } else {
    out.provider = MailProvider::kGoogle;
    CRMSYNC_TRY(ReadGoogle(*google, file, prefix + "google.", out.google));
  }
  return ReadSalesforce(*salesforce, file, prefix + "salesforce.", out.salesforce);
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
    CRMSYNC_TRY(e.Int("request_timeout_seconds", config.engine.request_timeout_seconds, 1, 3600));
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

#include "crmsync/engine/doctor.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/engine/secrets.hpp"
#include "crmsync/salesforce/host_allowlist.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {
namespace {

namespace fs = std::filesystem;

// Long enough for a slow proxy, short enough that a dead host does not hang doctor.
constexpr std::chrono::seconds kCheckTimeout{20};
constexpr const char* kKeyField = "Crmsync_Key__c";
constexpr const char* kDeployFix =
    "deploy crmsync's Salesforce metadata: in crmsync's salesforce/ folder run `sf project deploy start "
    "--manifest package.xml --target-org YOUR_ORG` (README, \"Salesforce metadata package\"), then assign "
    "the permission set \"crmsync integration\" to the service account";

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

DoctorCheck Ok(const std::string& scope, std::string name) { return {scope, std::move(name), true, false, "", ""}; }

DoctorCheck Fail(const std::string& scope, std::string name, std::string detail, std::string fix) {
  return {scope, std::move(name), false, false, std::move(detail), std::move(fix)};
}

DoctorCheck Skip(const std::string& scope, std::string name, std::string why) {
  return {scope, std::move(name), true, true, std::move(why), ""};
}

Result<auth::AccessToken> GetToken(auth::TokenProvider& provider) {
  std::promise<Result<auth::AccessToken>> promise;
  auto future = promise.get_future();
  provider.Get([&promise](Result<auth::AccessToken> token) { promise.set_value(std::move(token)); });
  return future.get();
}

// Any HTTP answer proves the host is reachable and its certificate verified.
DoctorCheck CheckEndpoint(http::Transport& transport, const std::string& scope, const std::string& key,
                          const std::string& url, const std::string& ca_key, const std::string& ca_file) {
  const std::string name = fmt::format("endpoint {} {} reachable, TLS valid", key, url);
  http::Request request;
  request.url = url;
  request.ca_file = ca_file;
  request.timeout = kCheckTimeout;
  request.kind = "doctor.endpoint";
  const http::Response response = http::PerformBlocking(transport, std::move(request));
  if (response.transport_ok()) return Ok(scope, name);
  switch (response.error) {
    case http::TransportError::kTls:
      return Fail(scope, name, fmt::format("TLS verification failed: {}", response.error_message),
                  fmt::format("renew or correct the server's certificate, or set {} to the PEM bundle of the CA "
                              "that signs it (a TLS-inspecting proxy's, a test simulator's)",
                              ca_key));
    case http::TransportError::kTimeout:
      return Fail(scope, name, fmt::format("no answer within {} s: {}", kCheckTimeout.count(), response.error_message),
                  "check the firewall and any proxy between this host and " + url);
    default:
      return Fail(scope, name, fmt::format("cannot connect: {}", response.error_message),
                  fmt::format("check {} in the configuration, DNS, the firewall and any proxy", key));
  }
}

struct Endpoint {
  std::string key, url, ca_key, ca_file;
};

std::vector<Endpoint> MailEndpoints(const TenantConfig& t) {
  switch (t.provider) {
    case MailProvider::kMicrosoft:
      return {{"microsoft.login_url", t.microsoft.login_url, "microsoft.ca_file", t.microsoft.ca_file},
              {"microsoft.graph_url", t.microsoft.graph_url, "microsoft.ca_file", t.microsoft.ca_file}};
    case MailProvider::kGoogle:
      return {{"google.api_url", t.google.api_url, "google.ca_file", t.google.ca_file},
              {"google.directory_url", t.google.directory_url, "google.ca_file", t.google.ca_file}};
    case MailProvider::kExchange:
      return {{"exchange.login_url", t.exchange.login_url, "exchange.ca_file", t.exchange.ca_file},
              {"exchange.ews_url", t.exchange.ews_url, "exchange.ca_file", t.exchange.ca_file},
              {"exchange.graph_url", t.exchange.graph_url, "exchange.ca_file", t.exchange.ca_file}};
  }
  return {};
}

DoctorCheck CheckMailGrant(http::Transport& transport, const TenantConfig& t) {
  const std::string name = "mailbox token grant";
  if (t.provider == MailProvider::kGoogle) {
    return Skip(t.id, name,
                "Google grants a token per user: `crmsync connect google --tenant " + t.id +
                    "` tests domain-wide delegation");
  }
  const bool microsoft = t.provider == MailProvider::kMicrosoft;
  auth::ClientCredentialsConfig credentials;
  credentials.token_url = fmt::format("{}/{}/oauth2/v2.0/token",
                                      TrimSlash(microsoft ? t.microsoft.login_url : t.exchange.login_url),
                                      microsoft ? t.microsoft.tenant_id : t.exchange.tenant_id);
  credentials.client_id = microsoft ? t.microsoft.client_id : t.exchange.client_id;
  credentials.client_secret = microsoft ? t.microsoft.client_secret : t.exchange.client_secret;
  credentials.ca_file = microsoft ? t.microsoft.ca_file : t.exchange.ca_file;
  auto provider = auth::MakeClientCredentialsProvider(transport, credentials);
  auto token = GetToken(*provider);
  if (token.ok()) return Ok(t.id, name);
  const std::string table = microsoft ? "microsoft" : "exchange";
  return Fail(t.id, name, token.status().message(),
              fmt::format("check tenants.{0}.tenant_id, client_id and client_secret (Microsoft Entra admin center: "
                          "App registrations > the app > Certificates & secrets; a new secret goes into "
                          "tenants.{0}.client_secret) and that admin consent was granted",
                          table));
}

// Crmsync_Key__c must exist on `sobject` and be an external id.
DoctorCheck CheckKeyField(http::Transport& transport, const TenantConfig& t, const auth::AccessToken& token,
                          const std::string& sobject) {
  const std::string name = fmt::format("salesforce {}.{} is an external id", sobject, kKeyField);
  http::Request request;
  request.url = fmt::format("{}/services/data/v{}/sobjects/{}/describe", TrimSlash(token.instance_url),
                            t.salesforce.api_version, sobject);
  request.headers.emplace_back("Authorization", "Bearer " + token.value);
  request.ca_file = t.salesforce.ca_file;
  request.timeout = kCheckTimeout;
  request.kind = "doctor.describe";
  const http::Response response = http::PerformBlocking(transport, std::move(request));
  if (!response.transport_ok()) {
    return Fail(t.id, name, fmt::format("describe failed: {}", response.error_message),
                "check the connection to the org's instance " + token.instance_url);
  }
  if (response.status == 404) {
    return Fail(t.id, name, fmt::format("the org has no sObject {} (HTTP 404)", sobject),
                sobject.rfind("Email", 0) == 0
                    ? "enable Enhanced Email in Setup, or set tenants.salesforce.object_model = \"task\""
                    : "check tenants.salesforce.api_version and the integration user's object permissions");
  }
  if (response.status != 200) {
    return Fail(t.id, name, fmt::format("describe answered HTTP {}", response.status),
                "give the integration user the \"API Enabled\" and \"View Setup\" permissions");
  }
  simdjson::dom::parser parser;
  simdjson::dom::array fields;
  if (parser.parse(simdjson::padded_string(response.body))["fields"].get_array().get(fields) != simdjson::SUCCESS) {
    return Fail(t.id, name, "describe answered a body without a \"fields\" list", "retry; if it persists, report it");
  }
  for (auto field : fields) {
    std::string_view field_name;
    if (field["name"].get_string().get(field_name) != simdjson::SUCCESS || field_name != kKeyField) continue;
    bool external_id = false;
    if (field["externalId"].get_bool().get(external_id) != simdjson::SUCCESS || !external_id) {
      return Fail(t.id, name, fmt::format("{}.{} exists but is not an External ID", sobject, kKeyField),
                  fmt::format("in Setup > Object Manager > {} > Fields, edit {} and tick External ID and Unique "
                              "(or redeploy salesforce/)",
                              sobject, kKeyField));
    }
    return Ok(t.id, name);
  }
  return Fail(t.id, name, fmt::format("{} has no field {} (or the integration user cannot see it)", sobject, kKeyField),
              kDeployFix);
}

void CheckSalesforce(http::Transport& transport, const TenantConfig& t, state::Store* store,
                     const state::SecretBox* box, std::vector<DoctorCheck>& out) {
  const std::string grant_name = "salesforce token grant";
  const bool per_user = t.authorization == Authorization::kPerUser;
  std::string refresh_token = per_user ? std::string() : t.salesforce.refresh_token;
  // Per-user authorization: the grant is tested with the first user token sealed.
  std::string kind = per_user ? std::string() : kSalesforceRefreshSecret;
  if (per_user && store != nullptr) {
    const std::string prefix = SalesforceUserRefreshSecret("");
    auto all = store->ListSecrets();
    if (all.ok()) {
      for (const auto& secret : all.value()) {
        if (secret.tenant == t.id && secret.kind.rfind(prefix, 0) == 0) {
          kind = secret.kind;
          break;
        }
      }
    }
  }
  if (store != nullptr && !kind.empty()) {
    auto sealed = OpenSealedSecret(*store, box, t.id, kind);
    if (sealed.ok()) refresh_token = sealed.value();
  }
  std::optional<auth::AccessToken> token;
  if (refresh_token.empty()) {
    out.push_back(per_user ? Fail(t.id, grant_name, "authorization = \"per_user\": no user's Salesforce authorization "
                                                    "is recorded in the state",
                                  fmt::format("run `crmsync connect salesforce --config FILE --tenant {} --user ADDRESS`",
                                              t.id))
                           : Fail(t.id, grant_name, "no refresh token (none sealed in the state, none in the configuration)",
                                  fmt::format("run `crmsync connect salesforce --config FILE --tenant {}`", t.id)));
  } else {
    auth::SalesforceRefreshConfig sf;
    sf.token_url = TrimSlash(t.salesforce.login_url) + "/services/oauth2/token";
    sf.client_id = t.salesforce.client_id;
    sf.client_secret = t.salesforce.client_secret;
    sf.refresh_token = refresh_token;
    sf.ca_file = t.salesforce.ca_file;
    sf.check_instance_url = [allow = t.salesforce.allow_loopback](std::string_view url) {
      return salesforce::CheckSalesforceUrl(url, allow);
    };
    // An org that rotates refresh tokens voids the old one with this grant:
    // keep the new one exactly as a run would.
    sf.on_rotated = [store, box, id = t.id, kind](const std::string& rotated) -> Status {
      if (store == nullptr || box == nullptr) return Status::Io("the state has no master key to seal it with");
      return StoreSealedSecret(*store, *box, id, kind, rotated);
    };
    auto provider = auth::MakeSalesforceRefreshProvider(transport, sf);
    auto granted = GetToken(*provider);
    if (granted.ok()) {
      token = granted.value();
      out.push_back(Ok(t.id, grant_name));
    } else {
      out.push_back(Fail(t.id, grant_name, granted.status().message(),
                         fmt::format("check tenants.salesforce.client_id and client_secret (the connected app's "
                                     "consumer key and secret); an expired or revoked refresh token is replaced with "
                                     "`crmsync connect salesforce --config FILE --tenant {} --refresh`",
                                     t.id)));
    }
  }
  for (const auto& sobject : SObjectsWritten(t)) {
    if (token) {
      out.push_back(CheckKeyField(transport, t, *token, sobject));
    } else {
      out.push_back(Skip(t.id, fmt::format("salesforce {}.{} is an external id", sobject, kKeyField),
                         "needs a Salesforce token"));
    }
  }
}

// The state directory: writable, and the store opens (not corrupt, not held
// by a running crmsync).
std::unique_ptr<state::Store> CheckState(const std::string& dir, std::vector<DoctorCheck>& out) {
  const std::string scope = "state";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string probe = (fs::path(dir) / ".crmsync-doctor-probe").string();
  {
    std::ofstream file(probe, std::ios::trunc);
    file << "probe\n";
    file.flush();
    if (ec || !file) {
      out.push_back(Fail(scope, fmt::format("directory {} writable", dir),
                         ec ? ec.message() : "cannot create a file in it",
                         "create the directory and make it writable by the user crmsync runs as, or point "
                         "engine.state_dir / --state elsewhere"));
      return nullptr;
    }
  }
  fs::remove(probe, ec);
  out.push_back(Ok(scope, fmt::format("directory {} writable", dir)));
  auto store = state::Store::Open(dir);
  if (!store.ok()) {
    const bool busy = store.status().message().find("in use") != std::string::npos;
    out.push_back(Fail(scope, "state opens consistently", store.status().message(),
                       busy ? "another crmsync process holds the state: wait for the run to finish, then retry"
                            : "move the directory aside and restore it from a backup (a fresh state re-reads "
                              "every mailbox; upserts on Crmsync_Key__c create no duplicates)"));
    return nullptr;
  }
  out.push_back(Ok(scope, "state opens consistently"));
  return std::move(store.value());
}

}  // namespace

std::vector<std::string> SObjectsWritten(const TenantConfig& tenant) {
  std::vector<std::string> out;
  if (tenant.salesforce.object_model == ObjectModel::kEnhancedEmail) {
    out = {"EmailMessage", "EmailMessageRelation"};
  } else {
    out = {"Task"};
  }
  if (tenant.capture.calendar != CalendarCapture::kOff) out.push_back("Event");
  return out;
}

std::vector<DoctorCheck> RunDoctor(const Config& config, const DoctorOptions& options, http::Transport& transport) {
  std::vector<DoctorCheck> out;
  std::unique_ptr<state::Store> store = CheckState(options.state_dir, out);
  std::optional<state::SecretBox> box;
  if (store != nullptr && fs::exists(MasterKeyFileFor(options.state_dir))) {
    auto loaded = state::SecretBox::LoadOrCreate(MasterKeyFileFor(options.state_dir));
    if (loaded.ok()) {
      box.emplace(std::move(loaded.value()));
    } else {
      out.push_back(Fail("state", "master key opens", loaded.status().message(),
                         "restore the master key file beside the state directory from a backup, or reconnect "
                         "with `crmsync connect`"));
    }
  }
  for (const auto& tenant : config.tenants) {
    for (const auto& e : MailEndpoints(tenant)) {
      out.push_back(CheckEndpoint(transport, tenant.id, e.key, e.url, e.ca_key, e.ca_file));
    }
    out.push_back(CheckEndpoint(transport, tenant.id, "salesforce.login_url", tenant.salesforce.login_url,
                                "salesforce.ca_file", tenant.salesforce.ca_file));
    out.push_back(CheckMailGrant(transport, tenant));
    CheckSalesforce(transport, tenant, store.get(), box ? &*box : nullptr, out);
  }
  return out;
}

std::string FormatDoctorCheck(const DoctorCheck& check) {
  if (check.skipped) return fmt::format("skip  {}  {}: {}", check.scope, check.name, check.detail);
  if (check.ok) return fmt::format("ok    {}  {}", check.scope, check.name);
  return fmt::format("FAIL  {}  {}: {}\n      fix: {}", check.scope, check.name, check.detail, check.fix);
}

}  // namespace crmsync::engine

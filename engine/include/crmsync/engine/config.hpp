// The crmsync configuration (TOML). Every field is documented in README.md,
// "Configuration". Unknown keys are errors, so a typo never silently falls
// back to a default. Errors name the file, the key and the value at fault.
#pragma once

#include <string>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/capture_config.hpp"

namespace crmsync::engine {

// How the Microsoft tenant's mailboxes are reached: the application's own
// permissions (admin consent, client credentials) or each user's delegated
// consent (a refresh token per user, `crmsync connect mailbox`).
enum class MicrosoftAccess { kApplication, kDelegated };
// The delegated scopes asked for at consent and on every refresh.
inline constexpr const char* kMicrosoftDelegatedScopes = "offline_access Mail.Read Calendars.Read User.Read";

struct MicrosoftConfig {
  std::string tenant_id;       // directory (tenant) id
  std::string client_id;       // application id
  std::string client_secret;   // secret: never logged
  std::string login_url = "https://login.microsoftonline.com";
  std::string graph_url = "https://graph.microsoft.com";
  std::string ca_file;         // extra CA bundle trusted for these hosts
  int page_size = 100;         // Prefer: odata.maxpagesize (1..1000)
  MicrosoftAccess access = MicrosoftAccess::kApplication;
};

// How the Google tenant's mailboxes are reached: one service account with
// domain-wide delegation, or each listed user's own OAuth consent (a refresh
// token per user, `crmsync connect mailbox`).
enum class GoogleAccess { kServiceAccount, kOAuthUser };
// The per-user scopes asked for at consent (refreshes keep the consent's scopes).
inline constexpr const char* kGoogleOAuthUserScopes =
    "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/calendar.readonly";

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
  GoogleAccess access = GoogleAccess::kServiceAccount;
  // access = "oauth_user": the OAuth client every user consents to.
  std::string client_id;
  std::string client_secret;         // secret: never logged
  std::string auth_url = "https://accounts.google.com/o/oauth2/v2/auth";
  std::string token_url = "https://oauth2.googleapis.com/token";
};

// Exchange Web Services with impersonation: one application (app-only OAuth,
// full_access_as_app) impersonates every mailbox.
struct ExchangeConfig {
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;   // secret
  std::string login_url = "https://login.microsoftonline.com";
  std::string ews_url = "https://outlook.office365.com/EWS/Exchange.asmx";
  std::string graph_url = "https://graph.microsoft.com";   // users are listed with Graph /users
  std::string ca_file;
  int page_size = 100;         // SyncFolderItems MaxChangesReturned (1..512)
};

enum class MailProvider { kMicrosoft, kGoogle, kExchange };

// Which Salesforce login a tenant uses; decides the default login host.
enum class SalesforceConnection {
  kProduction,       // https://login.salesforce.com
  kSandbox,          // https://test.salesforce.com
  kMyDomain,         // login_url required: https://NAME.my.salesforce.com
  kExperienceSite,   // login_url required: https://NAME.my.site.com/SITE (partner/customer community)
};

// What a captured email becomes in Salesforce.
enum class ObjectModel { kTask, kEnhancedEmail };

struct SalesforceConfig {
  SalesforceConnection connection = SalesforceConnection::kProduction;
  std::string login_url = "https://login.salesforce.com";
  std::string client_id;
  std::string client_secret;   // secret
  // Secret: the service account's refresh token. Optional: `crmsync connect
  // salesforce` stores it sealed in the state instead, which wins when present.
  std::string refresh_token;
  std::string api_version = "60.0";
  std::string ca_file;
  ObjectModel object_model = ObjectModel::kTask;
  // Test-only: lets login_url and instance_url be a loopback host (the
  // simulator). Every other host must be on a Salesforce domain.
  bool allow_loopback = false;
};

// Mass authorization: one Salesforce service account writes for every user.
// Per user: each user's own refresh token; a user is pending until it exists.
enum class Authorization { kServiceAccount, kPerUser };
// When a user becomes active: at once, or when their first logon is recorded
// (`crmsync users activate`).
enum class Activation { kImmediate, kFirstLogon };

enum class UserSource { kDirectory, kGroup, kListed };
enum class SalesforceUserMatch { kEmail, kFederationId, kExplicit };

struct UsersConfig {
  UserSource source = UserSource::kDirectory;
  std::string group;                       // group id or address when source = group
  std::vector<std::string> list;           // addresses when source = listed
  SalesforceUserMatch match = SalesforceUserMatch::kEmail;
  // match = explicit: mailbox address (lower-case) -> Salesforce User id.
  std::vector<std::pair<std::string, std::string>> salesforce_map;
};

// The provisioning API (`crmsync serve`): HMAC-SHA256 secrets, current first,
// then at most one previous secret still accepted during a rotation.
struct ProvisioningConfig {
  std::vector<std::string> hmac_secrets;   // secrets
};

// [tenants.budget]: the tenant's daily Salesforce API call budget. The calls
// of every run and backfill of one UTC day count against it; scheduled runs
// are never stopped by it, a backfill stops once the day's count reaches its
// share (and continues the next day). The same share bounds a backfill's
// concurrency per mailbox and per org (BackfillConcurrency, backfill.hpp).
struct BudgetConfig {
  int daily_salesforce_calls = 0;     // 0: no budget. Default: 0
  // Share of the budget a backfill may bring the day's count to, and of the
  // per-mailbox / per-org concurrency it may use. Default: 50
  int backfill_share_percent = 50;
};

struct TenantConfig {
  std::string id;
  std::vector<std::string> domains;
  MailProvider provider = MailProvider::kMicrosoft;   // which mail table is set
  MicrosoftConfig microsoft;
  GoogleConfig google;
  ExchangeConfig exchange;
  SalesforceConfig salesforce;
  Authorization authorization = Authorization::kServiceAccount;
  Activation activation = Activation::kImmediate;
  UsersConfig users;
  ProvisioningConfig provisioning;
  CaptureConfig capture;
  BudgetConfig budget;
};

struct EngineConfig {
  std::string state_dir;                 // default ./crmsync-state
  // Mailbox folders read at once, at most: a run starts with 64 and reads
  // more at once only while its workers wait on the network (latency).
  int max_streams_in_flight = 256;
  int max_writes_in_flight = 4;          // concurrent upserts per tenant
  // HTTP/1.1 connections per host: with one request per connection, this
  // caps the requests in flight to one service (Graph, Gmail, Salesforce).
  int max_connections_per_host = 256;
  int request_timeout_seconds = 60;
  // Backoff between retries of one request: full jitter, doubling from
  // retry_base_ms up to retry_cap_ms (Retry-After, when sent, wins).
  int retry_base_ms = 500;
  int retry_cap_ms = 30000;
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

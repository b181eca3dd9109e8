// Connecting one tenant at the start of a run, and its lifecycle: who is
// active, pending, suspended or disabled, and whether its two connections
// (mail system, Salesforce) work. Refused access suspends; it never fails the
// run and never moves a cursor past unwritten mail.
#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_set>

#include <fmt/format.h>

#include "crmsync/engine/secrets.hpp"
#include "crmsync/engine/backfill.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/salesforce/email_graph.hpp"
#include "crmsync/salesforce/host_allowlist.hpp"
#include "deterministic.hpp"
#include "learned_org_limit.hpp"
#include "mailbox_grants.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {
namespace {

constexpr const char* kActive = "active";
constexpr const char* kPending = "pending";
constexpr const char* kSuspended = "suspended";
constexpr const char* kDisabled = "disabled";

// How long the owners' Salesforce ids read by one run are trusted by the
// next ones (users' Salesforce ids rarely change; a new mailbox user always
// triggers a fresh read).
constexpr std::int64_t kOwnerMapTtlMs = 24 * 3600 * 1000;
// User records written back per state write at the end of a run.
constexpr std::size_t kUsersPerWrite = 256;

void MarkConnection(state::ConnectionState& c, bool ok, const std::string& error) {
  const std::int64_t now = NowUnixMs();
  if (ok) {
    c.status = "connected";
    c.last_error.clear();
    c.last_success_unix_ms = now;
  } else {
    c.status = "disconnected";
    c.last_error = error;
    c.last_error_unix_ms = now;
  }
}

void Fail(TenantRuntime& tenant, const std::string& message) {
  tenant.report.status = "failed";
  tenant.AddError(fmt::format("tenant {}: {}", tenant.config->id, message));
}

// The tenant cannot run at all this time: one of its connections was refused.
void SuspendAtSetUp(TenantRuntime& tenant, bool crm, const std::string& error, const std::string& reason) {
  tenant.suspended = true;
  tenant.report.status = "suspended";
  tenant.report.reason = reason;
  (crm ? tenant.report.crm : tenant.report.mailbox) = "disconnected";
  MarkConnection(crm ? tenant.connection.crm : tenant.connection.mailbox, false, error);
  tenant.AddError(fmt::format("tenant {} suspended: {}", tenant.config->id, error));
}

Result<std::string> SalesforceRefreshToken(TenantRuntime& tenant, state::Store& store,
                                           const state::SecretBox* secrets) {
  auto sealed = OpenSealedSecret(store, secrets, tenant.config->id, kSalesforceRefreshSecret);
  if (sealed.ok()) return sealed;
  if (sealed.status().code() != StatusCode::kNotFound) return sealed.status();
  return tenant.config->salesforce.refresh_token;
}

// The options of every Salesforce client of the tenant, made once: the
// clients share one adaptive limit of requests in flight to the org.
const salesforce::SalesforceClientOptions& SalesforceOptions(TenantRuntime& tenant, std::chrono::milliseconds timeout) {
  salesforce::SalesforceClientOptions& options = tenant.salesforce_options;
  if (!options.org_limiter) {
    options.api_version = tenant.config->salesforce.api_version;
    options.ca_file = tenant.config->salesforce.ca_file;
    options.timeout = timeout;
    options.org_limiter = salesforce::MakeOrgLimiter(options.max_in_flight);
    options.org_key = tenant.config->id;
  }
  return options;
}

// The CRM resolver (and the Lead creator, for unknown_person = "create_lead")
// over the tenant's lookup client.
void AttachCrm(TenantRuntime& tenant) {
  const TenantConfig& config = *tenant.config;
  tenant.crm = std::make_unique<CrmResolver>(config.id, *tenant.salesforce, ResolverOptionsFrom(config.capture));
  if (config.capture.unknown_person == UnknownPerson::kCreateLead) {
    tenant.leads = MakeLeadCreator(config.id, *tenant.salesforce, *tenant.crm);
  }
}

void ConnectSalesforce(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                       const state::SecretBox* secrets, std::chrono::milliseconds timeout,
                       const std::string& refresh_token) {
  const TenantConfig& config = *tenant.config;
  auth::SalesforceRefreshConfig sf;
  sf.token_url = TrimSlash(config.salesforce.login_url) + "/services/oauth2/token";
  sf.client_id = config.salesforce.client_id;
  sf.client_secret = config.salesforce.client_secret;
  sf.refresh_token = refresh_token;
  sf.ca_file = config.salesforce.ca_file;
  sf.check_instance_url = [allow = config.salesforce.allow_loopback](std::string_view url) {
    return salesforce::CheckSalesforceUrl(url, allow);
  };
  // Stored (synced) before the grant's access token is used: a crash right
  // after a rotation still finds the new token in the state.
  sf.on_rotated = [&store, secrets, id = config.id](const std::string& rotated) -> Status {
    if (secrets == nullptr) return Status::Io("the state has no master key to seal it with");
    return StoreSealedSecret(store, *secrets, id, kSalesforceRefreshSecret, rotated);
  };
  tenant.salesforce_session = auth::MakeSalesforceRefreshProvider(transport, sf);
  tenant.salesforce = std::make_unique<salesforce::SalesforceClient>(
      transport, *tenant.salesforce_session, SalesforceOptions(tenant, timeout));
  AttachCrm(tenant);
}

bool Listed(const UsersConfig& users, const MailUser& user) {
  if (users.source != UserSource::kListed) return true;
  for (const auto& address : users.list) {
    if (AsciiLower(user.primary) == address) return true;
    for (const auto& alias : user.aliases) {
      if (AsciiLower(alias) == address) return true;
    }
  }
  return false;
}

bool InGroup(const std::unordered_set<std::string>& members, const MailUser& user) {
  if (members.count(user.id) != 0) return true;
  for (const auto& alias : user.aliases) {
    if (members.count(AsciiLower(alias)) != 0) return true;
  }
  return false;
}

// Directory users (limited to the configured list, or to the group's
// `members`) plus users provisioned through `crmsync serve` that the
// directory does not already hold.
std::vector<MailUser> SelectUsers(TenantRuntime& tenant, std::vector<MailUser> directory,
                                  const std::unordered_set<std::string>& members, const StoredUsers& stored) {
  const UsersConfig& users = tenant.config->users;
  std::vector<MailUser> selected;
  selected.reserve(directory.size() + stored.provisioned().size());
  // Only provisioned users are checked against the listed addresses: without
  // any, no per-user set is built (it was ~100 B per user at set-up's peak).
  const bool any_provisioned = !stored.provisioned().empty();
  std::set<std::string> addresses;
  for (auto& user : directory) {
    if (!Listed(users, user)) continue;
    if (users.source == UserSource::kGroup && !InGroup(members, user)) continue;
    if (any_provisioned) addresses.insert(AsciiLower(user.primary));
    selected.push_back(std::move(user));
  }
  if (users.source == UserSource::kListed) {
    for (const auto& address : users.list) {
      bool found = false;
      for (const auto& user : selected) {
        found = found || AsciiLower(user.primary) == address ||
                std::find(user.aliases.begin(), user.aliases.end(), address) != user.aliases.end();
      }
      if (!found) {
        tenant.AddError(fmt::format("tenant {}: listed user {} is not in the mail system's directory",
                                    tenant.config->id, address));
      }
    }
  }
  for (const auto& [id, record] : stored.provisioned()) {
    if (addresses.count(record.primary) != 0) continue;
    MailUser user;
    user.id = id;
    user.primary = record.primary;
    user.aliases = record.aliases;
    if (std::find(user.aliases.begin(), user.aliases.end(), user.primary) == user.aliases.end()) {
      user.aliases.insert(user.aliases.begin(), user.primary);
    }
    user.enabled = record.status != kDisabled;
    selected.push_back(std::move(user));
  }
  return selected;
}

// The Salesforce User field a mailbox is matched on, and the addresses it
// is looked up by: the primary for Email; for FederationIdentifier (the SSO
// id, usually the UPN or the primary address) every address of the user.
const char* MatchField(const UsersConfig& config) {
  return config.match == SalesforceUserMatch::kFederationId ? "FederationIdentifier" : "Email";
}

std::vector<std::string> MatchValues(const UsersConfig& config, const std::vector<MailboxUser>& users) {
  std::vector<std::string> values;
  for (const auto& user : users) {
    values.emplace_back(user.primary());
    if (config.match != SalesforceUserMatch::kFederationId) continue;
    for (std::string_view alias : user.aliases()) {
      if (alias != user.primary()) values.emplace_back(alias);
    }
  }
  return values;
}

// Each mailbox user's Salesforce user: by email (primary address), by
// federation id (primary address first, then the other addresses), or by
// the explicit map (any alias). One Salesforce user serves one mailbox,
// never more.
void MapSalesforceUsers(TenantRuntime& tenant, std::vector<MailboxUser>& users,
                        const std::vector<salesforce::EmailMatch>& matches) {
  const UsersConfig& config = tenant.config->users;
  std::unordered_map<std::string, std::string, TransparentStringHash, std::equal_to<>> owner_by_value;
  for (const auto& match : matches) KeepSmallestId(owner_by_value[match.email], match.id);
  std::unordered_map<std::string, std::string, TransparentStringHash, std::equal_to<>> explicit_map(
      config.salesforce_map.begin(), config.salesforce_map.end());
  for (auto& user : users) {
    if (config.match == SalesforceUserMatch::kExplicit) {
      // The last alias mapped wins; packed once.
      const std::string* mapped = nullptr;
      for (std::string_view alias : user.aliases()) {
        auto it = explicit_map.find(alias);
        if (it != explicit_map.end()) mapped = &it->second;
      }
      if (mapped != nullptr) user.set_salesforce_user_id(*mapped);
      continue;
    }
    auto it = owner_by_value.find(user.primary());
    if (it != owner_by_value.end()) {
      user.set_salesforce_user_id(it->second);
      continue;
    }
    if (config.match != SalesforceUserMatch::kFederationId) continue;
    for (std::string_view alias : user.aliases()) {
      it = owner_by_value.find(alias);
      if (it == owner_by_value.end()) continue;
      user.set_salesforce_user_id(it->second);
      break;
    }
  }
}

// The org was not reached recently: set-up will ask it for the owners
// whatever the directory says (ReuseStoredOwners refuses first of all).
bool OwnersWillBeQueried(const TenantRuntime& tenant) {
  const state::ConnectionState& crm = tenant.connection.crm;
  return crm.status != "connected" || NowUnixMs() - crm.last_success_unix_ms > kOwnerMapTtlMs;
}

// The owners' Salesforce ids as an earlier run stored them, when that run
// reached the org less than kOwnerMapTtlMs ago and every mailbox user got
// one (explicit maps come from the configuration itself). Then set-up makes
// no Salesforce call: the session is granted at the first lookup or write,
// so an idle run costs the org nothing, and a revoked grant is found (and
// the tenant suspended) by the first run that has something to write.
bool ReuseStoredOwners(TenantRuntime& tenant, std::vector<MailboxUser>& users, const StoredUsers& stored_users) {
  if (OwnersWillBeQueried(tenant)) return false;
  std::vector<std::string> ids(users.size());
  if (tenant.config->users.match == SalesforceUserMatch::kExplicit) {
    MapSalesforceUsers(tenant, users, {});
    for (std::size_t i = 0; i < users.size(); ++i) ids[i] = users[i].salesforce_user_id();
  } else {
    for (std::size_t i = 0; i < users.size(); ++i) {
      const auto stored = stored_users.Find(users[i].id());
      if (!stored || stored->primary != users[i].primary()) return false;
      ids[i] = stored->salesforce_user_id;
    }
  }
  for (const auto& id : ids) {
    if (id.empty()) return false;   // a user without a Salesforce user yet: ask the org
  }
  for (std::size_t i = 0; i < users.size(); ++i) users[i].set_salesforce_user_id(ids[i]);
  return true;
}

constexpr const char* kInvalidGrantReason = "invalid_grant: expired access/refresh token";

// authorization = "per_user": the mailboxes' Salesforce users, read through
// the lookup session (user_sessions.hpp): the first connected user whose
// grant works. Users whose grant is refused, now or later in the run, are
// suspended on their own. Nobody connected: nothing is mapped and nobody
// writes (every user is pending).
Result<std::vector<salesforce::EmailMatch>> QueryOwnersPerUser(TenantRuntime& tenant, http::Transport& transport,
                                                               std::chrono::milliseconds timeout,
                                                               const std::vector<MailboxUser>& users) {
  const TenantConfig& config = *tenant.config;
  UserSessions& sessions = *tenant.user_sessions;
  if (sessions.LookupCandidates().empty()) return std::vector<salesforce::EmailMatch>{};
  auto& lookup = sessions.Lookup([&tenant, addresses = users](std::size_t user, const Status& refusal) {
    tenant.AddError(fmt::format("tenant {}: Salesforce refused the authorization of user {}: {}", tenant.config->id,
                                addresses[user].primary(), CrmReason(refusal)));
    SuspendUser(tenant, user, CrmReason(refusal));
  });
  tenant.salesforce = std::make_unique<salesforce::SalesforceClient>(transport, lookup, SalesforceOptions(tenant, timeout));
  AttachCrm(tenant);
  return tenant.salesforce->QueryByFieldBlocking("User", MatchField(config.users), MatchValues(config.users, users));
}

}  // namespace

bool IsAccessFailure(const Status& status) { return status.code() == StatusCode::kUnauthorized; }

std::string CrmReason(const Status& status) {
  const std::string& m = status.message();
  const auto at = m.find("invalid_grant");
  if (at != std::string::npos) return m.substr(at);
  return m;
}

void SetUpTenant(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                 const state::SecretBox* secrets, const EngineConfig& engine) {
  const TenantConfig& config = *tenant.config;
  tenant.report.id = config.id;
  tenant.batcher =
      Batcher(BatcherLimits{.max_records = config.salesforce.object_model == ObjectModel::kEnhancedEmail
                                               ? salesforce::kMaxGraphsPerPayload   // one Composite Graph payload
                                               : BatcherLimits{}.max_records,
                            .max_inflight_requests = static_cast<std::size_t>(BackfillConcurrency(
                                engine.max_writes_in_flight, tenant.concurrency_share_percent))});
  const std::chrono::milliseconds timeout(engine.request_timeout_seconds * 1000LL);

  auto connection = store.GetTenantState(config.id);
  auto stored_users = StoredUsers::Read(store, config.id);
  if (!connection.ok() || !stored_users.ok()) {
    return Fail(tenant, (connection.ok() ? stored_users.status() : connection.status()).ToString());
  }
  tenant.connection = std::move(connection.value());
  StoredUsers stored = std::move(stored_users.value());
  // The org's concurrency as the last run that used it left it.
  if (auto learned = LoadLearnedOrgLimit(store, config.id, NowUnixMs()); learned.ok() && learned.value()) {
    const auto& sf = SalesforceOptions(tenant, timeout);
    sf.org_limiter->Seed(sf.org_key, *learned.value());
  }

  Status source = MakeMailSource(tenant, transport, timeout);
  if (!source.ok()) return Fail(tenant, source.message());

  const bool per_user = config.authorization == Authorization::kPerUser;
  if (!per_user) {
    auto refresh_token = SalesforceRefreshToken(tenant, store, secrets);
    if (!refresh_token.ok()) return Fail(tenant, refresh_token.status().ToString());
    if (refresh_token.value().empty()) {
      const std::string error = fmt::format("no Salesforce refresh token: run `crmsync connect salesforce --tenant {}` "
                                            "or set salesforce.refresh_token", config.id);
      return SuspendAtSetUp(tenant, true, error, error);
    }
    ConnectSalesforce(tenant, transport, store, secrets, timeout, refresh_token.value());
    if (OwnersWillBeQueried(tenant)) {
      // The owner query below needs the org's session: its grant travels
      // beside the directory listing instead of after it (one round trip
      // less before the first mailbox request). The query joins this grant
      // or finds its token cached; a failed grant is asked again there.
      tenant.salesforce_session->Get([](Result<auth::AccessToken>) {});
    }
  }

  // Delegated access lists no directory: the configured users, each read with their own grant.
  auto listed = UsesDelegatedMail(config) ? Result<std::vector<MailUser>>(ListDelegatedUsers(tenant, transport, store, secrets))
                                          : tenant.source->ListUsers();
  if (!listed.ok()) {
    if (IsAccessFailure(listed.status())) {
      return SuspendAtSetUp(tenant, false, listed.status().message(),
                            "mailbox access revoked: " + listed.status().message());
    }
    return Fail(tenant, "cannot list the organization's users: " + listed.status().ToString());
  }
  if (auto refused = UsesDelegatedMail(config) ? EveryGrantRefused(tenant) : std::nullopt) {
    return SuspendAtSetUp(tenant, false, *refused, "mailbox access revoked: " + *refused);
  }
  std::unordered_set<std::string> members;
  if (config.users.source == UserSource::kGroup) {
    auto listed_members = tenant.source->ListGroupMembers(config.users.group);
    if (!listed_members.ok()) {
      if (IsAccessFailure(listed_members.status())) {
        return SuspendAtSetUp(tenant, false, listed_members.status().message(),
                              "mailbox access revoked: " + listed_members.status().message());
      }
      return Fail(tenant, fmt::format("users.group {}: cannot read its members: {}", config.users.group,
                                      listed_members.status().message()));
    }
    // Ids stay as given (case-sensitive); addresses compare lower-case.
    for (auto& member : listed_members.value()) {
      members.insert(member.find('@') == std::string::npos ? std::move(member) : AsciiLower(member));
    }
  }
  MarkConnection(tenant.connection.mailbox, true, "");
  std::vector<MailUser> mail_users = SelectUsers(tenant, std::move(listed.value()), members, stored);

  // The listed users become the run's one copy of each user (MailboxUser,
  // packed); each listed user is freed as soon as it is packed.
  std::vector<MailboxUser> mailbox_users;
  mailbox_users.reserve(mail_users.size());
  for (auto& user : mail_users) {
    user.primary = AsciiLower(user.primary);
    for (auto& alias : user.aliases) alias = AsciiLower(alias);
    mailbox_users.emplace_back(user);
    user = MailUser();
  }
  mail_users = std::vector<MailUser>();
  // Mass authorization: the stored owners when fresh, else one query. Per
  // user: the users' sealed grants, and the query through the lookup session
  // (which also creates the tenant's Salesforce client).
  Result<std::vector<salesforce::EmailMatch>> owners = std::vector<salesforce::EmailMatch>{};
  bool query_owners = true;
  if (per_user) {
    tenant.user_sessions =
        std::make_unique<UserSessions>(transport, store, secrets, config, SalesforceOptions(tenant, timeout));
    Status loaded = tenant.user_sessions->Load(mailbox_users);
    if (!loaded.ok()) return Fail(tenant, loaded.ToString());
    owners = QueryOwnersPerUser(tenant, transport, timeout, mailbox_users);
  } else if (ReuseStoredOwners(tenant, mailbox_users, stored)) {
    query_owners = false;
  } else {
    owners = tenant.salesforce->QueryByFieldBlocking("User", MatchField(config.users),
                                                     MatchValues(config.users, mailbox_users));
  }
  if (query_owners) {
    if (!owners.ok()) {
      if (IsAccessFailure(owners.status())) {
        return SuspendAtSetUp(tenant, true, owners.status().message(), CrmReason(owners.status()));
      }
      return Fail(tenant, "cannot read Salesforce users: " + owners.status().ToString());
    }
    if (tenant.salesforce) MarkConnection(tenant.connection.crm, true, "");
    MapSalesforceUsers(tenant, mailbox_users, owners.value());
  }

  // Statuses, and one mailbox per Salesforce user.
  // Views of mailbox_users' own strings, which outlive the map.
  std::unordered_map<std::string_view, std::string_view> mailbox_of_salesforce_user;
  mailbox_of_salesforce_user.reserve(mailbox_users.size());
  for (std::size_t i = 0; i < mailbox_users.size(); ++i) {
    MailboxUser& user = mailbox_users[i];
    const auto stored_user = stored.Find(user.id());
    std::string status = kActive, reason;
    if (!user.enabled()) {
      status = kDisabled;
      reason = stored_user && stored_user->provisioned ? "deprovisioned" : "account disabled in the directory";
    } else if (config.activation == Activation::kFirstLogon && (!stored_user || !stored_user->kept->activated)) {
      status = kPending;
      reason = fmt::format("awaiting first logon (crmsync users activate --tenant {} --user {})", config.id, user.primary());
    } else if (UsesDelegatedMail(config)) {
      // A provisioned user was never listed: it has no grant of its own either.
      auto decided = tenant.delegated_status.find(user.id());
      if (decided != tenant.delegated_status.end()) {
        std::tie(status, reason) = decided->second;
      } else if (!tenant.user_mail_tokens.contains(user.id())) {
        status = kPending;
        reason = NoMailboxGrantReason(config.id, std::string(user.primary()));
      }
    }
    // Per-user Salesforce authorization: an active mailbox also needs its own grant.
    if (status == kActive && per_user && !tenant.user_sessions->HasToken(i)) {
      status = kPending;
      reason = NoSalesforceAuthorizationReason(config.id, std::string(user.primary()));
    } else if (status == kActive && per_user && tenant.user_sessions->Refused(i)) {
      status = kSuspended;
      reason = kInvalidGrantReason;
    }
    if (!user.salesforce_user_id().empty()) {
      auto [it, fresh] = mailbox_of_salesforce_user.emplace(user.salesforce_user_id(), user.primary());
      if (!fresh && status == kActive) {
        status = kPending;
        reason = fmt::format("Salesforce user {} already belongs to mailbox {} (one mailbox per Salesforce user)",
                             user.salesforce_user_id(), it->second);
      }
    }
    // Not active: keeps its cursors; its mail is not read until it is.
    user.set_enabled(status == kActive);
    tenant.user_status.push_back(status);
    tenant.user_reason.push_back(reason);
  }
  // Of the stored records the run keeps only what it writes back unchanged;
  // the rest is released before the first stream starts.
  std::vector<std::string_view> ids;
  ids.reserve(mailbox_users.size());
  for (const auto& user : mailbox_users) ids.push_back(user.id());
  tenant.user_records = stored.Keep(ids);
  ids = std::vector<std::string_view>();
  stored = StoredUsers();
  tenant.user_captured.assign(mailbox_users.size(), 0);
  tenant.user_incomplete.assign(mailbox_users.size(), 0);
  tenant.report.users = mailbox_users.size();
  tenant.directory = std::make_unique<TenantDirectory>(config.domains, std::move(mailbox_users));
  const auto& users = tenant.directory->users();
  tenant.user_index = UserIndex(users.size(), [&users](std::size_t i) { return users[i].id(); });
  auto rules = CaptureRules::Compile(config.id, config.capture, *tenant.directory);
  if (!rules.ok()) return Fail(tenant, rules.status().message());
  tenant.rules = std::move(rules.value());
  tenant.ready = true;
}

Status ConnectSalesforceOnly(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                             const state::SecretBox* secrets, const EngineConfig& engine) {
  if (tenant.config->authorization == Authorization::kPerUser) {
    return ConnectUserSessionsOnly(tenant, transport, store, secrets, engine);
  }
  auto refresh_token = SalesforceRefreshToken(tenant, store, secrets);
  if (!refresh_token.ok()) return refresh_token.status();
  ConnectSalesforce(tenant, transport, store, secrets, std::chrono::seconds(engine.request_timeout_seconds),
                    refresh_token.value());
  return Status::Ok();
}

Status ConnectUserSessionsOnly(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                               const state::SecretBox* secrets, const EngineConfig& engine) {
  const TenantConfig& config = *tenant.config;
  auto stored = store.ListUsers(config.id);
  if (!stored.ok()) return stored.status();
  tenant.stored_users = std::move(stored.value());
  // The users family is what the last run knew: enough to find each user's
  // sealed grant (by primary address, then aliases) without the mail system.
  std::vector<MailboxUser> users;
  tenant.user_index = UserIndex(tenant.stored_users.size(),
                                [&list = tenant.stored_users](std::size_t i) { return std::string_view(list[i].first); });
  for (const auto& [id, record] : tenant.stored_users) {
    users.emplace_back(id, record.primary, AddressRange(record.aliases), record.status != kDisabled,
                       record.salesforce_user_id);
  }
  const std::chrono::milliseconds timeout(engine.request_timeout_seconds * 1000LL);
  tenant.user_sessions =
      std::make_unique<UserSessions>(transport, store, secrets, config, SalesforceOptions(tenant, timeout));
  return tenant.user_sessions->Load(users);
}

void SuspendTenant(TenantRuntime& tenant, const std::string& reason) {
  std::lock_guard lock(tenant.lifecycle_mutex);
  if (tenant.suspended.exchange(true)) return;
  tenant.report.status = "suspended";
  tenant.report.reason = reason;
  tenant.report.crm = "disconnected";
  tenant.LogEvent(LogLevel::kWarn, "tenant suspended: " + reason);
  MarkConnection(tenant.connection.crm, false, reason);
  for (std::size_t i = 0; i < tenant.user_status.size(); ++i) {
    if (tenant.user_status[i] != kActive) continue;
    tenant.user_status[i] = kSuspended;
    tenant.user_reason[i] = reason;
  }
}

void SuspendUser(TenantRuntime& tenant, std::size_t user, const std::string& reason) {
  std::lock_guard lock(tenant.lifecycle_mutex);
  if (user >= tenant.user_status.size()) return;
  tenant.user_incomplete[user] = 1;
  if (tenant.user_status[user] != kActive) return;
  tenant.user_status[user] = kSuspended;
  tenant.user_reason[user] = reason;
  if (tenant.directory && user < tenant.directory->users().size()) {
    tenant.LogEvent(LogLevel::kWarn, "user suspended: " + reason, std::string(tenant.directory->users()[user].primary()));
  }
}

namespace {

void CountUser(TenantReport& report, const std::string& status) {
  if (status == kActive) ++report.users_active;
  else if (status == kPending) ++report.users_pending;
  else if (status == kSuspended) ++report.users_suspended;
  else ++report.users_disabled;
}

}  // namespace

Status SaveTenantLifecycle(TenantRuntime& tenant, state::Store& store) {
  const std::int64_t now = NowUnixMs();
  const std::string& id = tenant.config->id;
  std::vector<std::pair<std::string, state::UserRecord>> records;
  std::lock_guard lock(tenant.lifecycle_mutex);
  TenantReport& report = tenant.report;
  // A failed run learned nothing about its users: their records stay as they were.
  const bool write = report.status != "failed";
  // Written kUsersPerWrite at a time: the decoded records of 10,000 users
  // (~600 B each) and their write batch were the run's last high-water mark.
  // Each user's record is still written whole; a crash between two writes
  // leaves the others' records of the previous run, which the next run
  // rewrites.
  const auto put = [&]() -> Status {
    Status put = write && !records.empty() ? store.PutUsers(id, records) : Status::Ok();
    records.clear();
    return put;
  };
  if (tenant.directory) {
    const auto& users = tenant.directory->users();
    std::size_t had_active = 0, lost_access = 0;
    records.reserve(std::min(users.size(), kUsersPerWrite));
    for (std::size_t i = 0; i < users.size(); ++i) {
      state::UserRecord record = tenant.user_records.Restore(i);
      const std::string& status = tenant.user_status[i];
      if (record.status != status) record.status_since_unix_ms = now;
      if (users[i].enabled()) {
        ++had_active;
        // A user's own Salesforce grant refused says nothing of mailbox access.
        const bool crm_refused = tenant.user_sessions && tenant.user_sessions->Refused(i);
        if (status == kSuspended && !crm_refused) ++lost_access;
      }
      record.status = status;
      record.reason = tenant.user_reason[i];
      record.primary = users[i].primary();
      record.aliases = users[i].aliases().ToVector();
      record.salesforce_user_id = users[i].salesforce_user_id();
      if (record.source.empty()) record.source = tenant.config->users.source == UserSource::kListed ? "config" : "directory";
      record.captured += tenant.user_captured[i];
      if (status == kActive && !tenant.user_incomplete[i] && !tenant.suspended) record.last_success_unix_ms = now;
      CountUser(report, record.status);
      records.emplace_back(std::string(users[i].id()), std::move(record));
      if (records.size() == kUsersPerWrite) {
        if (Status put_users = put(); !put_users.ok()) return put_users;
      }
    }
    if (Status put_users = put(); !put_users.ok()) return put_users;
    // Every mailbox refused: the tenant's mail access is gone, not a user's.
    if (!tenant.suspended && had_active > 0 && lost_access == had_active) {
      report.mailbox = "disconnected";
      report.status = "suspended";
      report.reason = tenant.user_reason.empty() ? "mailbox access revoked" : tenant.user_reason.front();
      MarkConnection(tenant.connection.mailbox, false, report.reason);
    }
  } else {
    // Set-up never reached the directory: what the state knew is suspended,
    // read one record at a time (only the changed ones are written).
    Status read = store.ForEachUser(id, [&](const std::string& user_id, const state::UserRecord& stored) {
      if (stored.status != kActive || !tenant.suspended) {
        CountUser(report, stored.status);
        return Status::Ok();
      }
      state::UserRecord record = stored;
      record.status = kSuspended;
      record.reason = report.reason;
      record.status_since_unix_ms = now;
      CountUser(report, record.status);
      records.emplace_back(user_id, std::move(record));
      return Status::Ok();
    });
    if (!read.ok() && report.status != "failed") return read;
  }
  if (Status put_users = put(); !put_users.ok()) return put_users;
  if (!write) return Status::Ok();   // nothing learned about the connections either
  return store.PutTenantState(id, tenant.connection);
}

}  // namespace crmsync::engine

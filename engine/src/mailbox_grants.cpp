#include "mailbox_grants.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "crmsync/engine/secrets.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/graph/mail_source.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {
namespace {

constexpr const char* kMailboxGrantPrefix = "mailbox.refresh_token/";

// A delegated tenant has no application token: anything that would need one
// (the directory, a group) fails with this instead of a silent fallback.
class NoApplicationToken final : public auth::TokenProvider {
 public:
  explicit NoApplicationToken(std::string tenant) : tenant_(std::move(tenant)) {}
  void Get(auth::TokenCallback done) override {
    done(Status::InvalidArgument(fmt::format("tenant {}: microsoft.access = \"delegated\" has no application "
                                             "token; only users' own mailboxes are read", tenant_)));
  }
  void Invalidate(const std::string&) override {}
  std::uint64_t grants() const override { return 0; }

 private:
  std::string tenant_;
};

bool BelongsTo(const MailUser& profile, const std::string& address) {
  if (AsciiLower(profile.primary) == AsciiLower(address)) return true;
  return std::any_of(profile.aliases.begin(), profile.aliases.end(),
                     [&](const std::string& alias) { return AsciiLower(alias) == AsciiLower(address); });
}

constexpr const char* kRevokedPrefix = "mailbox access revoked: ";

}  // namespace

bool UsesDelegatedMail(const TenantConfig& tenant) {
  return (tenant.provider == MailProvider::kMicrosoft && tenant.microsoft.access == MicrosoftAccess::kDelegated) ||
         (tenant.provider == MailProvider::kGoogle && tenant.google.access == GoogleAccess::kOAuthUser);
}

std::string MailboxGrantKind(const std::string& address) { return kMailboxGrantPrefix + AsciiLower(address); }

Result<std::string> OpenMailboxGrant(state::Store& store, const state::SecretBox* box, const std::string& tenant,
                                     const std::string& address) {
  return OpenSealedSecret(store, box, tenant, MailboxGrantKind(address));
}

Status StoreMailboxGrant(state::Store& store, const state::SecretBox& box, const std::string& tenant,
                         const std::string& address, const std::string& refresh_token) {
  return StoreSealedSecret(store, box, tenant, MailboxGrantKind(address), refresh_token);
}

std::string NoMailboxGrantReason(const std::string& tenant, const std::string& address) {
  return fmt::format("no mailbox authorization recorded (crmsync connect mailbox --tenant {} --user {})", tenant,
                     address);
}

std::unique_ptr<auth::TokenProvider> MakeMailboxTokenProvider(
    http::Transport& transport, const TenantConfig& tenant, const std::string& address,
    const std::string& refresh_token, std::function<Status(const std::string&)> on_rotated) {
  auth::RefreshTokenConfig config;
  if (tenant.provider == MailProvider::kGoogle) {
    // Google keeps the consent's scopes on a refresh: none are sent.
    config.service = "Google OAuth";
    config.token_url = tenant.google.token_url;
    config.client_id = tenant.google.client_id;
    config.client_secret = tenant.google.client_secret;
    config.ca_file = tenant.google.ca_file;
  } else {
    config.token_url = fmt::format("{}/{}/oauth2/v2.0/token", TrimSlash(tenant.microsoft.login_url),
                                   tenant.microsoft.tenant_id);
    config.client_id = tenant.microsoft.client_id;
    config.client_secret = tenant.microsoft.client_secret;
    config.scope = kMicrosoftDelegatedScopes;
    config.ca_file = tenant.microsoft.ca_file;
  }
  config.refresh_token = refresh_token;
  config.subject = address;
  config.on_rotated = std::move(on_rotated);
  return auth::MakeRefreshTokenProvider(transport, std::move(config));
}

Status MakeDelegatedGraphSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  const TenantConfig& config = *tenant.config;
  tenant.mail_tokens = std::make_unique<NoApplicationToken>(config.id);
  graph::GraphClientOptions options;
  options.graph_url = TrimSlash(config.microsoft.graph_url);
  options.ca_file = config.microsoft.ca_file;
  options.page_size = config.microsoft.page_size;
  options.timeout = timeout;
  auto source = std::make_unique<graph::GraphMailSource>(transport, *tenant.mail_tokens, options);
  if (config.capture.mode == CaptureMode::kSelective) source->SetCaptureFolders(config.capture.folders);
  // Read-only once set-up is done, so the lookup needs no lock.
  source->SetUserTokens(
      [&tenant](const MailUserView& user) -> auth::TokenProvider* {
        auto it = tenant.user_mail_tokens.find(user.id);
        return it == tenant.user_mail_tokens.end() ? nullptr : it->second.get();
      },
      [&tenant] {
        std::uint64_t grants = 0;
        for (const auto& [id, tokens] : tenant.user_mail_tokens) grants += tokens->grants();
        return grants;
      });
  tenant.signed_in_user = [graph = source.get()](auth::TokenProvider& tokens) { return graph->SignedInUser(tokens); };
  tenant.source = std::move(source);
  return Status::Ok();
}

std::vector<MailUser> ListDelegatedUsers(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                                         const state::SecretBox* secrets) {
  const TenantConfig& config = *tenant.config;
  std::vector<MailUser> users;
  for (const std::string& address : config.users.list) {
    // The listed address is the user's stable id: it is known before any
    // consent, so the user keeps one record from pending to active.
    MailUser user;
    user.id = address;
    user.primary = address;
    user.aliases = {address};
    auto grant = OpenMailboxGrant(store, secrets, config.id, address);
    if (!grant.ok()) {
      if (grant.status().code() == StatusCode::kNotFound) {
        tenant.delegated_status[address] = {"pending", NoMailboxGrantReason(config.id, address)};
      } else {
        tenant.delegated_status[address] = {"suspended", "mailbox authorization unreadable: " + grant.status().message()};
        tenant.AddError(fmt::format("tenant {}: user {}: {}", config.id, address, grant.status().message()));
      }
      users.push_back(std::move(user));
      continue;
    }
    auto on_rotated = [&store, secrets, id = config.id, address](const std::string& rotated) -> Status {
      if (secrets == nullptr) return Status::Io("the state has no master key to seal it with");
      return StoreMailboxGrant(store, *secrets, id, address, rotated);
    };
    auto tokens = MakeMailboxTokenProvider(transport, config, address, grant.value(), std::move(on_rotated));
    auto profile = tenant.signed_in_user(*tokens);
    if (profile.ok() && !BelongsTo(profile.value(), address)) {
      // Another user's consent recorded for this one: reading with it would
      // open the wrong mailbox.
      const std::string why = fmt::format("the mailbox authorization belongs to {}, not to {}", profile->primary, address);
      tenant.delegated_status[address] = {"suspended", why};
      tenant.AddError(fmt::format("tenant {}: user {} suspended: {}", config.id, address, why));
    } else if (profile.ok()) {
      user.primary = profile->primary.empty() ? address : profile->primary;
      user.aliases = std::move(profile->aliases);
      if (std::find(user.aliases.begin(), user.aliases.end(), address) == user.aliases.end()) {
        user.aliases.push_back(address);
      }
      user.enabled = profile->enabled;
    } else if (profile.status().code() == StatusCode::kUnauthorized) {
      // Counted as an error so that the run is partial (exit 3), as when a
      // mailbox refuses the application mid-run.
      tenant.delegated_status[address] = {"suspended", kRevokedPrefix + profile.status().message()};
      tenant.AddError(fmt::format("tenant {}: user {} suspended: {}", config.id, address, profile.status().message()));
    } else {
      tenant.delegated_status[address] = {"suspended", "mailbox not reachable: " + profile.status().message()};
      tenant.AddError(fmt::format("tenant {}: user {}: {}", config.id, address, profile.status().message()));
    }
    tenant.user_mail_tokens[address] = std::move(tokens);
    users.push_back(std::move(user));
  }
  return users;
}

std::optional<std::string> EveryGrantRefused(const TenantRuntime& tenant) {
  const std::size_t granted = tenant.user_mail_tokens.size();
  std::size_t refused = 0;
  std::string first;
  for (const auto& [address, decided] : tenant.delegated_status) {
    if (decided.first != "suspended" || !decided.second.starts_with(kRevokedPrefix)) continue;
    if (refused++ == 0) first = decided.second.substr(std::string_view(kRevokedPrefix).size());
  }
  // One refusal among users still pending is that user's own revocation.
  const bool tenant_wide = refused > 1 || refused == tenant.config->users.list.size();
  if (refused == 0 || refused != granted || !tenant_wide) return std::nullopt;
  return first;
}

}  // namespace crmsync::engine

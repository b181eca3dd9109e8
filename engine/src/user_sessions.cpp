#include "user_sessions.hpp"

#include <fmt/format.h>

#include "crmsync/engine/secrets.hpp"
#include "crmsync/salesforce/host_allowlist.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {
namespace {

class LookupSession final : public auth::TokenProvider {
 public:
  LookupSession(UserSessions& sessions, std::function<void(std::size_t, const Status&)> on_refused)
      : sessions_(sessions), on_refused_(std::move(on_refused)) {}

  void Get(auth::TokenCallback done) override {
    const std::vector<std::size_t> candidates = sessions_.LookupCandidates();
    if (candidates.empty()) {
      done(Status::Unauthorized("invalid_grant: expired access/refresh token (every user's Salesforce "
                                "authorization was refused)"));
      return;
    }
    const std::size_t user = candidates.front();
    sessions_.Session(user).Get([this, user, done = std::move(done)](Result<auth::AccessToken> token) mutable {
      if (token.ok() || token.status().code() != StatusCode::kUnauthorized) {
        done(std::move(token));
        return;
      }
      sessions_.Refuse(user);
      if (on_refused_) on_refused_(user, token.status());
      Get(std::move(done));
    });
  }

  // Only drops `stale` where it is the cached token: safe to ask every candidate.
  void Invalidate(const std::string& stale) override {
    for (std::size_t user : sessions_.LookupCandidates()) sessions_.Session(user).Invalidate(stale);
  }

  std::uint64_t grants() const override { return 0; }   // counted by each user's own session

 private:
  UserSessions& sessions_;
  std::function<void(std::size_t, const Status&)> on_refused_;
};

}  // namespace

std::string NoSalesforceAuthorizationReason(const std::string& tenant, const std::string& address) {
  return fmt::format("no Salesforce authorization recorded (crmsync connect salesforce --tenant {} --user {})", tenant,
                     address);
}

UserSessions::UserSessions(http::Transport& transport, state::Store& store, const state::SecretBox* secrets,
                           const TenantConfig& config, salesforce::SalesforceClientOptions client_options)
    : transport_(transport), store_(store), secrets_(secrets), config_(config),
      client_options_(std::move(client_options)) {}

Status UserSessions::Load(const std::vector<MailboxUser>& users) {
  tokens_.assign(users.size(), "");
  kinds_.assign(users.size(), "");
  refused_ = std::make_unique<std::atomic<bool>[]>(users.size());
  providers_.resize(users.size());
  clients_.resize(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    std::vector<std::string_view> addresses{users[i].primary()};
    for (std::string_view alias : users[i].aliases()) addresses.push_back(alias);
    for (std::string_view address : addresses) {
      const std::string kind = SalesforceUserRefreshSecret(std::string(address));
      auto token = OpenSealedSecret(store_, secrets_, config_.id, kind);
      if (token.status().code() == StatusCode::kNotFound) continue;
      if (!token.ok()) {
        return Status(token.status().code(),
                      fmt::format("the Salesforce authorization of user {} does not open: {}", address,
                                  token.status().message()));
      }
      tokens_[i] = std::move(token.value());
      kinds_[i] = kind;
      break;
    }
  }
  return Status::Ok();
}

salesforce::SalesforceClient& UserSessions::Client(std::size_t user) {
  std::lock_guard lock(mu_);
  if (clients_[user]) return *clients_[user];
  auth::SalesforceRefreshConfig sf;
  sf.token_url = TrimSlash(config_.salesforce.login_url) + "/services/oauth2/token";
  sf.client_id = config_.salesforce.client_id;
  sf.client_secret = config_.salesforce.client_secret;
  sf.refresh_token = tokens_[user];
  sf.ca_file = config_.salesforce.ca_file;
  sf.check_instance_url = [allow = config_.salesforce.allow_loopback](std::string_view url) {
    return salesforce::CheckSalesforceUrl(url, allow);
  };
  // Stored (synced) under the user's own kind before the grant is used.
  sf.on_rotated = [this, kind = kinds_[user]](const std::string& rotated) -> Status {
    if (secrets_ == nullptr) return Status::Io("the state has no master key to seal it with");
    return StoreSealedSecret(store_, *secrets_, config_.id, kind, rotated);
  };
  providers_[user] = auth::MakeSalesforceRefreshProvider(transport_, sf);
  clients_[user] = std::make_unique<salesforce::SalesforceClient>(transport_, *providers_[user], client_options_);
  return *clients_[user];
}

auth::TokenProvider& UserSessions::Session(std::size_t user) {
  Client(user);
  std::lock_guard lock(mu_);
  return *providers_[user];
}

std::vector<std::size_t> UserSessions::LookupCandidates() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (HasToken(i) && !Refused(i)) out.push_back(i);
  }
  return out;
}

auth::TokenProvider& UserSessions::Lookup(std::function<void(std::size_t, const Status&)> on_refused) {
  std::lock_guard lock(mu_);
  if (!lookup_) lookup_ = std::make_unique<LookupSession>(*this, std::move(on_refused));
  return *lookup_;
}

void UserSessions::Refuse(std::size_t user) {
  if (user < tokens_.size()) refused_[user] = true;
}

std::uint64_t UserSessions::grants() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& provider : providers_) n += provider ? provider->grants() : 0;
  return n;
}

std::uint64_t UserSessions::calls() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& client : clients_) {
    if (!client) continue;
    const auto& stats = client->stats();
    n += stats.upsert_requests.load() + stats.query_requests.load() + stats.retries.load();
  }
  return n;
}

}  // namespace crmsync::engine

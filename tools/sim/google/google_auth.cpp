#include "google_auth.hpp"

#include <stdexcept>

#include <fmt/core.h>
#include <simdjson.h>

#include "http_util.hpp"
#include "json_escape.hpp"
#include "google_oauth_client.hpp"
#include "prng.hpp"
#include "text_util.hpp"

namespace crmsync::sim::google {
namespace {

constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::size_t kSweepThreshold = 100000;

HttpResponse OAuthError(int status, std::string_view error, std::string_view description) {
  return JsonResponse(status, fmt::format(R"({{"error":"{}","error_description":"{}"}})", JsonEscape(error),
                                          JsonEscape(description)));
}

HttpResponse BadSignature() { return OAuthError(400, "invalid_grant", "Invalid JWT Signature."); }

HttpResponse UnauthorizedClient() {
  return OAuthError(401, "unauthorized_client",
                    "Client is unauthorized to retrieve access tokens using this method, or client not authorized "
                    "for any of the scopes requested.");
}

std::string Hex(std::uint64_t a, std::size_t digits) {
  std::string out = fmt::format("{:016x}", a);
  return out.substr(0, digits);
}

struct Claims {
  std::string iss, sub, scope, aud;
  std::optional<std::int64_t> iat, exp;
};

// Reads string claims and integer times; other members are ignored.
std::optional<Claims> ParseClaims(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  Claims c;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::nullopt;
    std::string* target = key == "iss" ? &c.iss : key == "sub" ? &c.sub : key == "scope" ? &c.scope
                          : key == "aud" ? &c.aud : nullptr;
    if (target != nullptr) {
      std::string_view value;
      if (field.value().get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
      *target = std::string(value);
    } else if (key == "iat" || key == "exp") {
      double value = 0;
      if (field.value().get_double().get(value) != simdjson::SUCCESS) return std::nullopt;
      (key == "iat" ? c.iat : c.exp) = static_cast<std::int64_t>(value);
    }
  }
  return c;
}

std::optional<std::string> HeaderAlg(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  std::string_view alg;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc["alg"].get_string().get(alg) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return std::string(alg);
}

std::set<std::string> SplitScopes(std::string_view text) {
  std::set<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (end > i) out.emplace(text.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

}  // namespace

GoogleAuth::GoogleAuth(const Corpus& corpus, std::string origin, std::chrono::seconds ttl, SteadyClock clock,
                       UnixClock unix_clock)
    : corpus_(corpus), origin_(std::move(origin)), ttl_(ttl), clock_(std::move(clock)), unix_clock_(std::move(unix_clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
  if (!unix_clock_) {
    unix_clock_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
  }
  const std::uint64_t seed = corpus_.seed();
  for (const Tenant& t : corpus_.tenants()) {
    ServiceAccount account;
    Delegation delegation;
    if (t.provider == Provider::kGmail) {
      auto ut = static_cast<std::uint64_t>(t.index);
      account.tenant = t.index;
      account.project_id = fmt::format("crmsync-sim-{}-{}", t.index + 1, Hex(HashOf(seed, Tag::kSecret, {ut, 101}), 6));
      account.client_email = fmt::format("crmsync-reader@{}.iam.gserviceaccount.com", account.project_id);
      // Numeric, 21 digits, like Google's service-account client ids.
      account.client_id = fmt::format("10{:019}", HashOf(seed, Tag::kSecret, {ut, 102}) % 10000000000000000000ULL);
      account.private_key_id = Hex(HashOf(seed, Tag::kSecret, {ut, 103}), 16) + Hex(HashOf(seed, Tag::kSecret, {ut, 104}), 16) +
                               Hex(HashOf(seed, Tag::kSecret, {ut, 105}), 8);
      auto key = RsaKey::Generate(2048);
      if (!key.ok()) throw std::runtime_error("cannot generate a service-account key: " + key.status().ToString());
      account.key = std::move(key.value());
      tenant_by_email_.emplace(AsciiLower(account.client_email), t.index);
      delegation.client_id = account.client_id;
      delegation.scopes = {std::string(kGmailReadonlyScope), std::string(kCalendarReadonlyScope),
                           std::string(kDirectoryUserReadonlyScope), std::string(kDirectoryGroupMemberReadonlyScope)};
    } else {
      delegation.granted = false;
    }
    accounts_.push_back(std::move(account));
    delegations_.push_back(std::move(delegation));
  }
}

bool GoogleAuth::Owns(const HttpRequest& request) {
  return request.path == "/token" || request.path == kGoogleAuthorizePath;
}

bool GoogleAuth::OwnsAdmin(const HttpRequest& request) { return request.path == "/_sim/google/delegation"; }

const ServiceAccount* GoogleAuth::Account(int tenant) const {
  if (tenant < 0 || static_cast<std::size_t>(tenant) >= accounts_.size()) return nullptr;
  const ServiceAccount& a = accounts_[static_cast<std::size_t>(tenant)];
  return a.tenant < 0 ? nullptr : &a;
}

std::string GoogleAuth::KeyFileJson(int tenant) const {
  const ServiceAccount* a = Account(tenant);
  if (a == nullptr) return {};
  std::string email_escaped = a->client_email;
  if (auto at = email_escaped.find('@'); at != std::string::npos) email_escaped.replace(at, 1, "%40");
  return fmt::format(
      "{{\n"
      "  \"type\": \"service_account\",\n"
      "  \"project_id\": \"{}\",\n"
      "  \"private_key_id\": \"{}\",\n"
      "  \"private_key\": \"{}\",\n"
      "  \"client_email\": \"{}\",\n"
      "  \"client_id\": \"{}\",\n"
      "  \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\",\n"
      "  \"token_uri\": \"{}/token\",\n"
      "  \"auth_provider_x509_cert_url\": \"https://www.googleapis.com/oauth2/v1/certs\",\n"
      "  \"client_x509_cert_url\": \"https://www.googleapis.com/robot/v1/metadata/x509/{}\",\n"
      "  \"universe_domain\": \"googleapis.com\"\n"
      "}}\n",
      JsonEscape(a->project_id), JsonEscape(a->private_key_id), JsonEscape(a->key->PrivatePkcs8Pem()),
      JsonEscape(a->client_email), JsonEscape(a->client_id), JsonEscape(origin_), JsonEscape(email_escaped));
}

bool GoogleAuth::SetDelegation(int tenant, std::optional<bool> granted, std::optional<std::set<std::string>> scopes) {
  if (Account(tenant) == nullptr) return false;
  std::lock_guard lock(mutex_);
  Delegation& d = delegations_[static_cast<std::size_t>(tenant)];
  if (granted) d.granted = *granted;
  if (scopes) d.scopes = std::move(*scopes);
  return true;
}

HttpResponse GoogleAuth::Handle(const HttpRequest& request) {
  if (request.path == kGoogleAuthorizePath) return Authorize(request);
  if (request.method != "POST") return OAuthError(405, "invalid_request", "The token endpoint only accepts POST.");
  return Token(request);
}

HttpResponse GoogleAuth::Token(const HttpRequest& request) {
  auto form = ParseForm(request.body);
  if (!form) return OAuthError(400, "invalid_request", "Malformed form body.");
  auto value = [&](const char* name) {
    auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  std::string grant_type = value("grant_type");
  if (grant_type == "refresh_token" || grant_type == "authorization_code") return UserGrant(*form);
  if (grant_type != kJwtBearer) {
    return OAuthError(400, "unsupported_grant_type", "Invalid grant_type: " + grant_type);
  }
  std::string assertion = value("assertion");
  std::size_t dot1 = assertion.find('.');
  std::size_t dot2 = dot1 == std::string::npos ? dot1 : assertion.find('.', dot1 + 1);
  if (dot2 == std::string::npos || assertion.find('.', dot2 + 1) != std::string::npos) {
    return OAuthError(400, "invalid_grant", "Invalid JWT: the assertion must have three base64url parts.");
  }
  auto header = Base64UrlDecode(std::string_view(assertion).substr(0, dot1));
  auto payload = Base64UrlDecode(std::string_view(assertion).substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(std::string_view(assertion).substr(dot2 + 1));
  if (!header || !payload || !signature) {
    return OAuthError(400, "invalid_grant", "Invalid JWT: a part is not base64url.");
  }
  auto alg = HeaderAlg(*header);
  if (!alg || *alg != "RS256") return BadSignature();
  auto claims = ParseClaims(*payload);
  if (!claims) return OAuthError(400, "invalid_grant", "Invalid JWT: the claim set is not a JSON object.");
  if (claims->iss.empty()) return OAuthError(400, "invalid_request", "Invalid JWT: the iss claim is required.");

  auto tenant_it = tenant_by_email_.find(AsciiLower(claims->iss));
  if (tenant_it == tenant_by_email_.end()) return BadSignature();
  const int tenant = tenant_it->second;
  const ServiceAccount& account = accounts_[static_cast<std::size_t>(tenant)];
  if (!account.key->VerifyRs256(std::string_view(assertion).substr(0, dot2), *signature)) return BadSignature();

  if (claims->aud != origin_ + "/token") {
    return OAuthError(400, "invalid_grant", "Invalid JWT: Failed audience check.");
  }
  const std::int64_t now = unix_clock_();
  if (!claims->iat || !claims->exp || *claims->exp <= *claims->iat || *claims->exp - *claims->iat > kMaxJwtLifetime ||
      *claims->iat > now + kClockSkew || *claims->exp < now - kClockSkew) {
    return OAuthError(400, "invalid_grant",
                      "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                      "Check your iat and exp values in the JWT claim.");
  }
  std::set<std::string> scopes = SplitScopes(claims->scope);
  if (scopes.empty()) return OAuthError(400, "invalid_scope", "Empty or missing scope not allowed.");
  if (claims->sub.empty()) return OAuthError(400, "invalid_grant", "Invalid email or User ID");
  auto user = corpus_.FindUser(claims->sub);
  if (user && user->first != tenant) RecordIsolationViolation(user->first);
  if (!user || user->first != tenant ||
      !EqualsNoCase(corpus_.tenants()[static_cast<std::size_t>(tenant)].users[static_cast<std::size_t>(user->second)].primary,
                    claims->sub)) {
    return OAuthError(400, "invalid_grant", "Invalid email or User ID");
  }
  if (access_ != nullptr && access_->TenantRevoked(tenant)) return UnauthorizedClient();
  if (access_ != nullptr && access_->UserRevoked(tenant, user->second)) {
    return OAuthError(400, "invalid_grant", "Invalid email or User ID");
  }

  std::lock_guard lock(mutex_);
  const Delegation& delegation = delegations_[static_cast<std::size_t>(tenant)];
  if (!delegation.granted || delegation.client_id != account.client_id) return UnauthorizedClient();
  for (const std::string& s : scopes) {
    if (delegation.scopes.count(s) == 0) return UnauthorizedClient();
  }
  const auto now_steady = clock_();
  if (tokens_.size() >= kSweepThreshold) {
    std::erase_if(tokens_, [&](const auto& entry) { return entry.second.expires <= now_steady; });
  }
  std::string token = "ya29.sim" + RandomToken(32);
  std::string scope_text;
  for (const std::string& s : scopes) scope_text += (scope_text.empty() ? "" : " ") + s;
  if (issued_ != nullptr) issued_->Add(token);
  tokens_[token] = Grant{tenant, user->second, std::move(scopes), now_steady + ttl_, false};
  return JsonResponse(200, fmt::format(R"({{"access_token":"{}","expires_in":{},"scope":"{}","token_type":"Bearer"}})",
                                       token, ttl_.count(), JsonEscape(scope_text)));
}

GoogleAuth::TokenCheck GoogleAuth::Check(std::string_view access_token) const {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(std::string(access_token));
  if (it == tokens_.end()) return {};
  // Tokens issued before a revocation stop working with it.
  if (access_ != nullptr && access_->UserRevoked(it->second.tenant, it->second.user)) return {};
  TokenCheck check;
  check.state = clock_() < it->second.expires ? TokenState::kValid : TokenState::kExpired;
  check.tenant = it->second.tenant;
  check.user = it->second.user;
  check.scopes = it->second.scopes;
  check.oauth_user = it->second.oauth_user;
  return check;
}

HttpResponse GoogleAuth::HandleAdmin(const HttpRequest& request) {
  auto fail = [](int status, const std::string& message) {
    return JsonResponse(status, fmt::format(R"({{"error":"{}"}})", JsonEscape(message)));
  };
  if (request.method != "POST") return fail(405, "method not allowed: " + request.method + " " + request.path);
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(request.body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS || doc.get_object().get(object) != simdjson::SUCCESS) {
    return fail(400, R"(body must be a JSON object like {"tenant":"tenant-2","granted":false})");
  }
  std::string tenant_id;
  std::optional<bool> granted;
  std::optional<std::set<std::string>> scopes;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail(400, "malformed JSON body");
    if (key == "tenant") {
      std::string_view v;
      if (field.value().get_string().get(v) != simdjson::SUCCESS) return fail(400, "'tenant' must be a string");
      tenant_id = std::string(v);
    } else if (key == "granted") {
      bool v = false;
      if (field.value().get_bool().get(v) != simdjson::SUCCESS) return fail(400, "'granted' must be a boolean");
      granted = v;
    } else if (key == "scopes") {
      simdjson::ondemand::array array;
      if (field.value().get_array().get(array) != simdjson::SUCCESS) return fail(400, "'scopes' must be an array");
      scopes.emplace();
      for (auto item : array) {
        std::string_view v;
        if (item.get_string().get(v) != simdjson::SUCCESS) return fail(400, "'scopes' must hold strings");
        scopes->emplace(v);
      }
    } else {
      return fail(400, fmt::format("unknown field '{}'", key));
    }
  }
  auto tenant = corpus_.FindTenantById(tenant_id);
  if (!tenant) return fail(404, "unknown tenant '" + tenant_id + "'");
  if (!SetDelegation(*tenant, granted, std::move(scopes))) return fail(400, "tenant '" + tenant_id + "' is not a Gmail tenant");
  std::lock_guard lock(mutex_);
  const Delegation& d = delegations_[static_cast<std::size_t>(*tenant)];
  std::string list;
  for (const std::string& s : d.scopes) list += fmt::format(R"({}"{}")", list.empty() ? "" : ",", JsonEscape(s));
  return JsonResponse(200, fmt::format(R"({{"tenant":"{}","client_id":"{}","granted":{},"scopes":[{}]}})",
                                       JsonEscape(tenant_id), d.client_id, d.granted, list));
}

}  // namespace crmsync::sim::google

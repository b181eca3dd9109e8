#include "identity_service.hpp"

#include <fmt/core.h>

#include "http_util.hpp"
#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr std::string_view kGraphScope = "https://graph.microsoft.com/.default";
constexpr std::string_view kEwsScope = "https://outlook.office365.com/.default";
// Bounds the token table of a long benchmark; expired entries go first.
constexpr std::size_t kSweepThreshold = 100000;

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

IdentityService::IdentityService(const Corpus& corpus, std::string origin, std::chrono::seconds ttl,
                                 SteadyClock clock)
    : corpus_(corpus), origin_(std::move(origin)), ttl_(ttl), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

bool IdentityService::Owns(const HttpRequest& request) {
  auto s = Segments(request.path);
  return s.size() == 4 && !s[0].empty() && s[1] == "oauth2" && s[2] == "v2.0" &&
         (s[3] == "token" || s[3] == "authorize");
}

HttpResponse IdentityService::Error(int status, const char* error, int code,
                                    const std::string& description) const {
  std::string trace = RandomUuid(), correlation = RandomUuid(), timestamp = WallClockTimestamp();
  std::string full = fmt::format("AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}", code,
                                 description, trace, correlation, timestamp);
  return JsonResponse(
      status, fmt::format(R"({{"error":"{}","error_description":"{}","error_codes":[{}],"timestamp":"{}","trace_id":"{}","correlation_id":"{}","error_uri":"{}/error?code={}"}})",
                          error, JsonEscape(full), code, timestamp, trace, correlation, JsonEscape(origin_), code));
}

HttpResponse IdentityService::Handle(const HttpRequest& request) {
  auto segments = Segments(request.path);
  const bool authorize = segments.size() == 4 && segments[3] == "authorize";
  std::string tenant_key(segments.size() > 0 ? segments[0] : std::string_view());
  if (request.method != "POST" && !authorize) {
    return Error(400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a " +
                                                     request.method + " request.");
  }
  auto tenant = corpus_.FindTenant(tenant_key);
  if (!tenant) {
    return Error(400, "invalid_request", 90002,
                 fmt::format("Tenant '{}' not found. Check to make sure you have the correct tenant ID and are "
                             "signing into the correct cloud. Check with your subscription administrator, this "
                             "may happen if there are no active subscriptions for the tenant.",
                             tenant_key));
  }
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(*tenant)];
  if (authorize) return HandleAuthorize(request, *tenant);
  if (access_ != nullptr && access_->TenantRevoked(*tenant)) {
    return Error(401, "unauthorized_client", 7000112, "Application is disabled.");
  }
  std::string content_type = AsciiLower(request.header("content-type"));
  if (content_type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return Error(400, "invalid_request", 900144,
                 "The request body must contain the following parameter: 'grant_type'.");
  }
  auto form = ParseForm(request.body);
  if (!form) return Error(400, "invalid_request", 900144, "The request body is not a valid form.");
  auto get = [&](const char* name) -> std::string {
    auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  std::string client_id = get("client_id"), client_secret = get("client_secret");
  std::string authorization = request.header("authorization");
  if (authorization.size() > 6 && EqualsNoCase(authorization.substr(0, 6), "basic ")) {
    auto decoded = Base64Decode(Trim(std::string_view(authorization).substr(6)));
    std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
    // Never echo the header back: it carries the secret.
    if (colon == std::string::npos) return Error(401, "invalid_client", 7000215, "Invalid client secret provided.");
    auto id = FormDecode(decoded->substr(0, colon));
    auto secret = FormDecode(decoded->substr(colon + 1));
    if (!id || !secret) return Error(401, "invalid_client", 7000215, "Invalid client secret provided.");
    if (!client_id.empty() && client_id != *id) {
      return Error(400, "invalid_request", 90014, "The client_id in the body does not match the Authorization header.");
    }
    client_id = *id;
    client_secret = *secret;
  }

  std::string grant_type = get("grant_type");
  if (grant_type.empty()) {
    return Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
  }
  if (grant_type != "client_credentials" && grant_type != "refresh_token" &&
      grant_type != "authorization_code") {
    return Error(400, "unsupported_grant_type", 70003,
                 "The app requested an unsupported grant type '" + grant_type + "'.");
  }
  if (client_id.empty()) {
    return Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
  }
  if (client_id != t.ms_client_id) {
    return Error(400, "unauthorized_client", 700016,
                 fmt::format("Application with identifier '{}' was not found in the directory '{}'. This can happen "
                             "if the application has not been installed by the administrator of the tenant or "
                             "consented to by any user in the tenant. You may have sent your authentication "
                             "request to the wrong tenant.",
                             client_id, t.ms_tenant_id));
  }
  if (client_secret.empty()) {
    return Error(401, "invalid_client", 7000216,
                 "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  }
  if (client_secret != t.ms_client_secret) {
    return Error(401, "invalid_client", 7000215,
                 fmt::format("Invalid client secret provided. Ensure the secret being sent in the request is the "
                             "client secret value, not the client secret ID, for a secret added to app '{}'.",
                             t.ms_client_id));
  }
  if (grant_type == "refresh_token") return HandleRefresh(*tenant, get("refresh_token"), get("scope"));
  if (grant_type == "authorization_code") {
    return HandleAuthorizationCode(*tenant, get("code"), get("redirect_uri"), get("code_verifier"));
  }
  std::string scope = get("scope");
  if (scope.empty()) {
    return Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
  }
  if (scope != kGraphScope && scope != kEwsScope) {
    if (scope.find("/.default") == std::string::npos) {
      return Error(400, "invalid_scope", 1002012,
                   fmt::format("The provided value for scope {} is not valid. Client credential flows must have a "
                               "scope value with /.default suffixed to the resource identifier "
                               "(application ID URI).",
                               scope));
    }
    return Error(400, "invalid_scope", 70011,
                 fmt::format("The provided request must include a 'scope' input parameter. The provided value for "
                             "the input parameter 'scope' is not valid. The scope {} is not valid.",
                             scope));
  }

  const std::string token =
      NewAccessToken(*tenant, scope == kEwsScope ? Audience::kExchange : Audience::kGraph, -1);
  HttpResponse r = JsonResponse(
      200, fmt::format(R"({{"token_type":"Bearer","expires_in":{},"ext_expires_in":{},"access_token":"{}"}})",
                       ttl_.count(), ttl_.count(), token));
  r.headers.emplace("Cache-Control", "no-store, no-cache");
  r.headers.emplace("Pragma", "no-cache");
  return r;
}

std::string IdentityService::NewAccessToken(int tenant, Audience audience, int user) {
  std::string token = "eyJ0eXAiOiJKV1QiLCJzaW0iOnRydWV9." + RandomToken(48);
  auto now = clock_();
  std::lock_guard lock(mutex_);
  if (tokens_.size() > kSweepThreshold) {
    std::erase_if(tokens_, [now](const auto& entry) { return entry.second.expires <= now; });
  }
  if (issued_ != nullptr) issued_->Add(token);
  tokens_.emplace(token, Grant{tenant, now + ttl_, audience, user});
  return token;
}

IdentityService::TokenCheck IdentityService::Check(std::string_view access_token) const {
  auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(std::string(access_token));
  if (it == tokens_.end()) return {};
  return TokenCheck{it->second.expires <= now ? TokenState::kExpired : TokenState::kValid, it->second.tenant,
                    it->second.audience, it->second.user};
}

}  // namespace crmsync::sim

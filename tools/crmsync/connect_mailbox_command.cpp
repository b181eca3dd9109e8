// `crmsync connect mailbox`: records one user's own consent to read their
// mailbox (tenants with microsoft.access = "delegated"). Either the OAuth
// authorization-code flow (authorize URL printed for the user, the code
// received on a loopback redirect http://127.0.0.1:PORT/, PKCE S256,
// exchanged at the token endpoint) or headless with --refresh-token-file.
// The token is tested with a real refresh grant (Graph /me with the access
// token: the grant must belong to that user), and the refresh token in force
// afterwards (the rotated one, when the grant rotated it) is stored sealed
// with the tenant and the user as associated data. The user turns active at
// the next run.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <simdjson.h>

#include "command.hpp"
#include "crmsync/engine/mailbox_grants.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/graph/mail_source.hpp"
#include "crmsync/http/curl_multi_transport.hpp"
#include "crmsync/http/url.hpp"
#include "crmsync/state/store.hpp"
#include "http_server.hpp"

namespace crmsync::tools {
namespace {

struct ConnectMailboxFlags {
  std::string config_path, state_dir, tenant, user, refresh_token_file, url_file;
  bool refresh = false;
  int timeout_seconds = 300;
  int redirect_port = 0;
};

std::string Base64Url(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string RandomUrlToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return Base64Url(bytes, sizeof bytes);
}

// The code of the authorization-code flow, received once on the loopback redirect.
struct Callback {
  std::promise<std::pair<std::string, std::string>> code_and_state;
  std::once_flag once;
};

// The user's consent in a browser: Microsoft's authorize endpoint, the code
// on a loopback redirect, its exchange (PKCE S256) for the first refresh token.
Result<std::string> AuthorizationCodeFlow(const engine::TenantConfig& tenant, const std::string& address,
                                          const ConnectMailboxFlags& flags, http::Transport& transport) {
  auto callback = std::make_shared<Callback>();
  auto received = callback->code_and_state.get_future();
  sim::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(flags.redirect_port);
  options.tls = false;   // a loopback redirect: the browser talks to this machine only
  std::unique_ptr<sim::HttpServer> server;
  try {
    server = std::make_unique<sim::HttpServer>(options, [callback](const sim::HttpRequest& request) {
      sim::HttpResponse response;
      if (request.path != "/") {
        response.status = 404;
        return response;
      }
      auto code = request.query.find("code");
      auto state = request.query.find("state");
      auto error = request.query.find("error");
      std::call_once(callback->once, [&] {
        callback->code_and_state.set_value({code == request.query.end() ? "" : code->second,
                                            error != request.query.end() ? "error:" + error->second
                                            : state == request.query.end() ? "" : state->second});
      });
      response.headers.emplace("Content-Type", "text/plain; charset=utf-8");
      response.body = "crmsync: the authorization was received; you can close this window.\n";
      return response;
    });
  } catch (const std::exception& e) {
    return Status::Io(fmt::format("cannot listen for the OAuth redirect on 127.0.0.1:{}: {}", flags.redirect_port,
                                  e.what()));
  }
  const std::string redirect_uri = fmt::format("http://127.0.0.1:{}/", server->port());
  const std::string verifier = RandomUrlToken(), state = RandomUrlToken();
  if (verifier.empty() || state.empty()) return Status::Io("no random bytes for the PKCE verifier");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  std::string login_url = tenant.microsoft.login_url;
  while (!login_url.empty() && login_url.back() == '/') login_url.pop_back();
  const std::string endpoint = fmt::format("{}/{}/oauth2/v2.0/", login_url, tenant.microsoft.tenant_id);
  const std::string url = endpoint + "authorize?" +
                          http::FormEncode({{"client_id", tenant.microsoft.client_id},
                                            {"response_type", "code"},
                                            {"redirect_uri", redirect_uri},
                                            {"response_mode", "query"},
                                            {"scope", engine::kMicrosoftDelegatedScopes},
                                            {"state", state},
                                            {"login_hint", address},
                                            {"code_challenge", Base64Url(digest, sizeof digest)},
                                            {"code_challenge_method", "S256"}});
  std::cout << "Have " << address << " open this URL in a browser and allow crmsync to read their mailbox:\n  " << url
            << "\nWaiting for the redirect to " << redirect_uri << " ...\n"
            << std::flush;
  if (!flags.url_file.empty()) {
    std::ofstream out(flags.url_file, std::ios::trunc);
    out << url << "\n";
  }
  if (received.wait_for(std::chrono::seconds(flags.timeout_seconds)) != std::future_status::ready) {
    return Status::Transient(fmt::format("no authorization arrived within {} s", flags.timeout_seconds));
  }
  auto [code, returned_state] = received.get();
  if (returned_state.starts_with("error:")) {
    return Status::Unauthorized("Microsoft refused the authorization: " + returned_state.substr(6));
  }
  if (returned_state != state) return Status::Unauthorized("the redirect's state does not match (not this request)");
  if (code.empty()) return Status::Unauthorized("the redirect carried no authorization code");

  http::Request request;
  request.method = "POST";
  request.url = endpoint + "token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = http::FormEncode({{"client_id", tenant.microsoft.client_id},
                                   {"client_secret", tenant.microsoft.client_secret},
                                   {"grant_type", "authorization_code"},
                                   {"code", code},
                                   {"redirect_uri", redirect_uri},
                                   {"code_verifier", verifier},
                                   {"scope", engine::kMicrosoftDelegatedScopes}});
  request.ca_file = tenant.microsoft.ca_file;
  request.kind = "auth.ms_code";
  std::promise<http::Response> answered;
  auto answer = answered.get_future();
  transport.Submit(std::move(request), [&answered](http::Response r) { answered.set_value(std::move(r)); });
  http::Response response = answer.get();
  if (!response.transport_ok()) return Status::Transient("token request failed: " + response.error_message);
  simdjson::padded_string padded(response.body);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) {
    return Status::Corruption(fmt::format("the token endpoint answered HTTP {} without JSON", response.status));
  }
  std::string_view refresh_token, error;
  if (response.status != 200) {
    if (doc["error"].get(error)) error = "no OAuth error";
    return Status::Unauthorized(fmt::format("Microsoft refused the authorization code: {}", error));
  }
  if (doc["refresh_token"].get(refresh_token) || refresh_token.empty()) {
    return Status::Unauthorized("the token answer has no refresh_token (was offline_access granted?)");
  }
  return std::string(refresh_token);
}

std::string TrimSpace(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

int ConnectMailbox(const ConnectMailboxFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return engine::kExitUsage;
  const engine::TenantConfig* tenant = nullptr;
  for (const auto& t : config->tenants) {
    if (t.id == flags.tenant) tenant = &t;
  }
  if (tenant == nullptr) {
    std::cerr << "crmsync: --tenant " << flags.tenant << " is not a tenant of " << flags.config_path << "\n";
    return engine::kExitUsage;
  }
  if (!engine::UsesDelegatedMail(*tenant)) {
    std::cerr << "crmsync: tenant " << tenant->id << " does not use per-user mailbox access (set "
              << "[tenants.microsoft] access = \"delegated\")\n";
    return engine::kExitUsage;
  }
  const std::string address = engine::AsciiLower(flags.user);
  if (std::find(tenant->users.list.begin(), tenant->users.list.end(), address) == tenant->users.list.end()) {
    std::cerr << "crmsync: --user " << flags.user << " is not in tenant " << tenant->id << "'s users.list\n";
    return engine::kExitUsage;
  }
  std::string refresh_token;
  if (!flags.refresh_token_file.empty()) {
    std::ifstream in(flags.refresh_token_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "crmsync: cannot read " << flags.refresh_token_file << "\n";
      return engine::kExitUsage;
    }
    refresh_token = TrimSpace(text.str());
    if (refresh_token.empty()) {
      std::cerr << "crmsync: " << flags.refresh_token_file << " holds no refresh token\n";
      return engine::kExitUsage;
    }
  }

  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return engine::kExitFailure;
  }
  auto box = LoadSecretBox(state_dir, true);
  if (!box.ok() || !box.value()) {
    std::cerr << "crmsync: " << (box.ok() ? "no master key" : box.status().message()) << "\n";
    return engine::kExitFailure;
  }
  auto existing = store.value()->GetSecret(tenant->id, engine::MailboxGrantKind(address));
  if (existing.ok() && existing.value() && !flags.refresh) {
    std::cerr << "crmsync: " << address << " of tenant " << tenant->id << " already has a mailbox authorization; "
              << "use --refresh to replace it\n";
    return engine::kExitUsage;
  }

  http::CurlMultiTransport transport;
  if (refresh_token.empty()) {
    auto consented = AuthorizationCodeFlow(*tenant, address, flags, transport);
    if (!consented.ok()) {
      std::cerr << "crmsync: tenant " << tenant->id << ": mailbox of " << address
                << " not connected: " << consented.status().message() << "\n";
      return engine::kExitFailure;
    }
    refresh_token = std::move(consented.value());
  }
  // A rotation during the test grant voids the token given: the rotated one
  // is what gets stored, sealed, before the grant is used.
  auto on_rotated = [&](const std::string& rotated) -> Status {
    refresh_token = rotated;
    return engine::StoreMailboxGrant(*store.value(), *box.value(), tenant->id, address, rotated);
  };
  auto tokens = engine::MakeMailboxTokenProvider(transport, *tenant, address, refresh_token, on_rotated);
  graph::GraphClientOptions options;
  options.graph_url = tenant->microsoft.graph_url;
  while (!options.graph_url.empty() && options.graph_url.back() == '/') options.graph_url.pop_back();
  options.ca_file = tenant->microsoft.ca_file;
  options.timeout = std::chrono::seconds(config->engine.request_timeout_seconds);
  graph::GraphMailSource source(transport, *tokens, options);
  auto me = source.SignedInUser(*tokens);
  if (!me.ok()) {
    std::cerr << "crmsync: tenant " << tenant->id << ": mailbox of " << address
              << " not connected: " << me.status().message() << "\n";
    return engine::kExitFailure;
  }
  const bool same_user = me->primary == address ||
                         std::find(me->aliases.begin(), me->aliases.end(), address) != me->aliases.end();
  if (!same_user) {
    std::cerr << "crmsync: tenant " << tenant->id << ": the authorization belongs to " << me->primary << ", not to "
              << address << "; not stored\n";
    return engine::kExitFailure;
  }
  Status stored = engine::StoreMailboxGrant(*store.value(), *box.value(), tenant->id, address, refresh_token);
  if (!stored.ok()) {
    std::cerr << "crmsync: cannot store the mailbox authorization: " << stored.message() << "\n";
    return engine::kExitFailure;
  }
  std::cout << fmt::format("tenant {}: mailbox of {} Connected; its authorization is stored sealed in {}. "
                           "The user is active from the next run.\n",
                           tenant->id, address, state_dir);
  return engine::kExitComplete;
}

}  // namespace

void AddConnectMailboxCommand(CLI::App& connect, Commands& commands) {
  auto flags = std::make_shared<ConnectMailboxFlags>();
  CLI::App* mailbox = connect.add_subcommand(
      "mailbox", "Record one user's own authorization to read their mailbox (microsoft.access = \"delegated\")");
  mailbox->add_option("--config", flags->config_path, "Configuration file (TOML)")->required();
  mailbox->add_option("--tenant", flags->tenant, "Tenant id")->required();
  mailbox->add_option("--user", flags->user, "The user's address, as listed in users.list")->required();
  mailbox->add_option("--state", flags->state_dir, "State directory");
  mailbox->add_flag("--refresh", flags->refresh, "Replace a stored authorization (after it expired or was revoked)");
  mailbox->add_option("--refresh-token-file", flags->refresh_token_file,
                      "Headless: the user's refresh token (scopes offline_access Mail.Read Calendars.Read User.Read)");
  mailbox->add_option("--url-file", flags->url_file, "Also write the authorize URL to this file (for scripts)");
  mailbox->add_option("--timeout", flags->timeout_seconds, "Seconds to wait for the browser redirect")
      ->check(CLI::Range(1, 3600));
  mailbox->add_option("--redirect-port", flags->redirect_port, "Loopback port of the redirect (0: any free port)")
      ->check(CLI::Range(0, 65535));
  commands.push_back({mailbox, [flags] { return ConnectMailbox(*flags); }});
}

}  // namespace crmsync::tools

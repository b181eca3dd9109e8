// `crmsync serve` and `crmsync sign`: the provisioning API (README.md,
// "Provisioning API"). serve keeps its nonce store in <state>/serve and hands
// accepted changes to the runs through <state>/inbox/, so it never holds the
// main state directory's lock.
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "command.hpp"
#include "crmsync/auth/hmac_request.hpp"
#include "crmsync/engine/provisioning.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/state/store.hpp"
#include "http_server.hpp"
#include "serve_metrics.hpp"

namespace crmsync::tools {
namespace {

namespace fs = std::filesystem;
using engine::kExitFailure;
using engine::kExitUsage;

// Expired nonce claims are dropped this often.
constexpr int kPurgeIntervalSeconds = 60;
// Longest path echoed into the request log.
constexpr std::size_t kMaxLoggedPath = 200;

struct ServeFlags {
  std::string config_path;
  std::string state_dir;
  std::string listen;
  std::string port_file;
  std::string tls_cert;
  std::string tls_key;
};

struct SignFlags {
  std::string config_path;
  std::string tenant;
  std::string method = "POST";
  std::string path;
  std::string body_file;
  int secret_index = 0;
  std::int64_t timestamp = 0;
  std::string nonce;
  std::string curl_origin;
};

bool SplitListen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long value = std::stoul(digits);
  if (value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return !host.empty();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(fmt::format("cannot read {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    if (!out) return Status::Io(fmt::format("cannot write {}", temp));
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return Status::Io(fmt::format("cannot rename {} to {}: {}", temp, path, ec.message()));
  return Status::Ok();
}

// Request paths are attacker-controlled: printable ASCII only, bounded.
std::string Loggable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxLoggedPath)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (text.size() > kMaxLoggedPath) out += "...";
  return out;
}

bool AnyTenantProvisioned(const engine::Config& config) {
  for (const auto& tenant : config.tenants) {
    if (!tenant.provisioning.hmac_secrets.empty()) return true;
  }
  return false;
}

int RunServe(const ServeFlags& flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return kExitUsage;
  if (!AnyTenantProvisioned(*config)) {
    std::cerr << "crmsync serve: no tenant of " << flags.config_path
              << " has [tenants.provisioning] hmac_secrets; nothing could be provisioned\n";
    return kExitUsage;
  }
  sim::ServerOptions options;
  if (!SplitListen(flags.listen, options.host, options.port)) {
    std::cerr << "crmsync serve: --listen \"" << flags.listen << "\" is not HOST:PORT\n";
    return kExitUsage;
  }
  options.tls = !flags.tls_cert.empty() || !flags.tls_key.empty();
  if (options.tls) {
    if (flags.tls_cert.empty() || flags.tls_key.empty()) {
      std::cerr << "crmsync serve: --tls-cert and --tls-key go together\n";
      return kExitUsage;
    }
    auto cert = ReadWholeFile(flags.tls_cert);
    auto key = ReadWholeFile(flags.tls_key);
    if (!cert.ok() || !key.ok()) {
      std::cerr << "crmsync serve: " << (cert.ok() ? key.status() : cert.status()).message() << "\n";
      return kExitUsage;
    }
    options.identity = {cert.value(), key.value()};
  }

  const std::string state_dir = StateDir(flags.state_dir, *config);
  auto nonces = state::Store::Open((fs::path(state_dir) / "serve").string());
  if (!nonces.ok()) {
    std::cerr << "crmsync serve: nonce store: " << nonces.status().message() << "\n";
    return kExitFailure;
  }
  std::error_code ec;
  fs::create_directories(engine::InboxDir(state_dir), ec);
  if (ec) {
    std::cerr << "crmsync serve: cannot create " << engine::InboxDir(state_dir) << ": " << ec.message() << "\n";
    return kExitFailure;
  }
  engine::ProvisioningService service(*config, *nonces.value(), state_dir, engine::SystemUnixMillisClock());

  // Blocked before the server's threads start, so they inherit the mask and
  // only sigtimedwait below sees SIGINT / SIGTERM.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::mutex log_mutex;
  auto handler = [&](const sim::HttpRequest& request) {
    if (IsMetricsRequest(request)) return MetricsResponse(state_dir);
    sim::HttpResponse response;
    response.headers.emplace("Content-Type", "application/json");
    engine::ProvisioningResponse answer;
    if (!request.raw_query.empty()) {
      // The signature covers the path only; a query would ride along unsigned.
      answer.status = 400;
      answer.body = R"({"error":"query_not_allowed"})";
      answer.reason = "query_not_allowed";
    } else {
      answer = service.HandleRequest(request.method, request.path, request.headers, request.body);
    }
    response.status = answer.status;
    response.body = std::move(answer.body);
    std::lock_guard lock(log_mutex);
    std::cerr << fmt::format("crmsync serve: {} {} {} {}{}\n", Loggable(request.method), Loggable(request.path),
                             response.status, Loggable(answer.reason),
                             answer.user_id.empty() ? "" : " user=" + Loggable(answer.user_id));
    return response;
  };

  std::unique_ptr<sim::HttpServer> server;
  try {
    server = std::make_unique<sim::HttpServer>(options, handler);
  } catch (const std::exception& e) {
    std::cerr << "crmsync serve: cannot listen on " << flags.listen << ": " << e.what() << "\n";
    return kExitFailure;
  }
  if (!flags.port_file.empty()) {
    if (Status s = WriteFileAtomically(flags.port_file, std::to_string(server->port()) + "\n"); !s.ok()) {
      std::cerr << "crmsync serve: --port-file: " << s.message() << "\n";
      return kExitFailure;
    }
  }
  {
    std::lock_guard lock(log_mutex);
    std::cerr << "crmsync serve: listening on " << server->origin() << ", state " << state_dir << "\n";
  }

  const timespec interval{kPurgeIntervalSeconds, 0};
  for (;;) {
    const int signal = sigtimedwait(&stop_signals, nullptr, &interval);
    if (signal == SIGINT || signal == SIGTERM) break;
    if (signal < 0 && errno != EAGAIN) continue;   // EINTR: wait again
    auto purged = service.verifier().PurgeExpiredNonces();
    std::lock_guard lock(log_mutex);
    if (!purged.ok()) {
      std::cerr << "crmsync serve: purging nonces: " << purged.status().message() << "\n";
    }
  }
  server.reset();   // stops accepting and finishes the requests in flight
  std::cerr << "crmsync serve: stopped\n";
  return 0;
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

int RunSign(SignFlags flags) {
  auto config = LoadConfigOrReport(flags.config_path);
  if (!config) return kExitUsage;
  const engine::TenantConfig* tenant = nullptr;
  for (const auto& t : config->tenants) {
    if (t.id == flags.tenant) tenant = &t;
  }
  if (tenant == nullptr) {
    std::cerr << "crmsync sign: tenant \"" << flags.tenant << "\" is not in " << flags.config_path << "\n";
    return kExitUsage;
  }
  const auto& secrets = tenant->provisioning.hmac_secrets;
  if (flags.secret_index < 0 || static_cast<std::size_t>(flags.secret_index) >= secrets.size()) {
    std::cerr << fmt::format("crmsync sign: tenant \"{}\" has {} provisioning secret(s); --secret-index {} names none\n",
                             flags.tenant, secrets.size(), flags.secret_index);
    return kExitUsage;
  }
  for (char& c : flags.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const engine::ProvisioningRoute route = engine::MatchProvisioningRoute(flags.method, flags.path);
  if (route.kind == engine::ProvisioningRoute::Kind::kNone || !route.method_allowed) {
    std::cerr << "crmsync sign: " << flags.method << " " << flags.path
              << " is not a provisioning route (POST /v1/tenants/T/users, DELETE /v1/tenants/T/users/U)\n";
    return kExitUsage;
  }
  if (route.tenant != flags.tenant) {
    std::cerr << "crmsync sign: --path names tenant \"" << route.tenant << "\", --tenant is \"" << flags.tenant
              << "\"\n";
    return kExitUsage;
  }
  std::string body;
  if (!flags.body_file.empty()) {
    auto read = ReadWholeFile(flags.body_file);
    if (!read.ok()) {
      std::cerr << "crmsync sign: --body-file: " << read.status().message() << "\n";
      return kExitUsage;
    }
    body = std::move(read.value());
  }
  const std::int64_t timestamp =
      flags.timestamp > 0 ? flags.timestamp : engine::SystemUnixMillisClock()() / 1000;
  auto headers = auth::SignRequest(secrets[static_cast<std::size_t>(flags.secret_index)], flags.method, flags.path,
                                   body, timestamp, flags.nonce);
  if (!headers.ok()) {
    std::cerr << "crmsync sign: " << headers.status().message() << "\n";
    return kExitUsage;
  }
  if (flags.curl_origin.empty()) {
    for (const auto& [name, value] : headers->List()) std::cout << name << ": " << value << "\n";
    return 0;
  }
  std::string command = "curl -sS -X " + flags.method;
  for (const auto& [name, value] : headers->List()) command += " -H " + ShellQuote(name + ": " + value);
  if (!flags.body_file.empty()) {
    command += " -H 'Content-Type: application/json' --data-binary " + ShellQuote("@" + flags.body_file);
  }
  std::string origin = flags.curl_origin;
  while (!origin.empty() && origin.back() == '/') origin.pop_back();
  command += " " + ShellQuote(origin + flags.path);
  std::cout << command << "\n";
  return 0;
}

}  // namespace

void AddServeCommands(CLI::App& root, Commands& commands) {
  auto serve_flags = std::make_shared<ServeFlags>();
  CLI::App* serve = root.add_subcommand(
      "serve", "Run the provisioning API: signed POST/DELETE of community users, applied by the next run");
  serve->add_option("--config", serve_flags->config_path, "Configuration file (TOML)")->required();
  serve->add_option("--state", serve_flags->state_dir, "State directory (serve uses its serve/ and inbox/)");
  serve->add_option("--listen", serve_flags->listen, "HOST:PORT to listen on (port 0: any free port)")->required();
  serve->add_option("--port-file", serve_flags->port_file, "Write the port listened on to this file");
  serve->add_option("--tls-cert", serve_flags->tls_cert, "PEM certificate: serve HTTPS instead of HTTP");
  serve->add_option("--tls-key", serve_flags->tls_key, "PEM private key of --tls-cert");
  commands.push_back({serve, [serve_flags] { return RunServe(*serve_flags); }});

  auto sign_flags = std::make_shared<SignFlags>();
  CLI::App* sign = root.add_subcommand("sign", "Print the signature headers of a provisioning API request");
  sign->add_option("--config", sign_flags->config_path, "Configuration file (TOML)")->required();
  sign->add_option("--tenant", sign_flags->tenant, "Tenant whose secret signs")->required();
  sign->add_option("--method", sign_flags->method, "POST or DELETE (default POST)");
  sign->add_option("--path", sign_flags->path, "Request path, e.g. /v1/tenants/T/users")->required();
  sign->add_option("--body-file", sign_flags->body_file, "The exact request body (default: empty)");
  sign->add_option("--secret-index", sign_flags->secret_index, "0 = current secret (default), 1 = previous");
  sign->add_option("--timestamp", sign_flags->timestamp, "Unix seconds to sign (default: now)");
  sign->add_option("--nonce", sign_flags->nonce, "Nonce to sign (default: 128 random bits)");
  sign->add_option("--curl", sign_flags->curl_origin, "Print a curl command for this origin (http://HOST:PORT)");
  commands.push_back({sign, [sign_flags] { return RunSign(*sign_flags); }});
}

}  // namespace crmsync::tools

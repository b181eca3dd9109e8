// crmsync-sim: simulated Microsoft identity platform, Microsoft Graph and
// Salesforce for crmsync's tests and benchmarks, behind one HTTP(S) origin.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cert_authority.hpp"
#include "crmsync/core/allocator_info.hpp"
#include "listen_socket.hpp"
#include "config_writer.hpp"
#include "server.hpp"
#include "simulator.hpp"
#include "text_util.hpp"

namespace {

using crmsync::sim::HttpRequest;
using crmsync::sim::HttpResponse;

constexpr int kUsageError = 2;
constexpr int kRuntimeError = 1;

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

std::optional<HostPort> ParseListen(const std::string& text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port = crmsync::sim::ParseUint(std::string_view(text).substr(colon + 1));
  if (host.empty() || !port || *port > 65535) return std::nullopt;
  return HostPort{host, static_cast<std::uint16_t>(*port)};
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string item(crmsync::sim::Trim(std::string_view(text).substr(start, comma - start)));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int Fail(int code, const std::string& message) {
  std::cerr << "crmsync-sim: " << message << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crmsync-sim: simulated Microsoft 365 (identity + Graph) and Salesforce for crmsync"};
  app.set_version_flag("--version", std::string("crmsync-sim " CRMSYNC_VERSION "\nallocator: ") + crmsync::AllocatorInUse());
  std::string listen = "127.0.0.1:0";
  std::string port_file, write_config, ca_dir, cert_hosts = "127.0.0.1,localhost", api_version = "60.0";
  std::uint64_t seed = 1;
  int tenants = 1, users = 10, messages = 100, contacts = 0;
  std::int64_t token_ttl = 3599;
  bool plain_http = false, expired_cert = false, rotate_refresh_tokens = false;
  std::string providers_text = "graph";
  std::string mail_access = "application";
  std::string sf_missing_key_field;
  int gmail_user_quota = 250, gmail_history_retention = 1000;
  double fault_rate = 0;

  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")->capture_default_str();
  app.add_option("--sf-missing-key-field", sf_missing_key_field,
                 "TEST: Salesforce describe of this sObject (e.g. Task) lacks Crmsync_Key__c (crmsync doctor)");
  app.add_option("--port-file", port_file, "write the bound port here (atomically) once listening");
  app.add_option("--seed", seed, "corpus seed: same seed, same corpus")->capture_default_str();
  app.add_option("--fault-rate", fault_rate,
                 "mix every fault kind on every endpoint family at this rate (0.05 = 5 %; see README, /_sim/faults)")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--tenants", tenants, "number of tenants")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--users", users, "mailbox users per tenant")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--messages", messages, "origin messages per mailbox")->check(CLI::Range(0, 10000000))->capture_default_str();
  app.add_option("--write-config", write_config, "write a crmsync TOML configuration pointing at this simulator");
  app.add_option("--ca-dir", ca_dir, "certificate authority directory (default: <config or port-file dir>/sim-ca)");
  app.add_flag("--plain-http", plain_http, "serve plain HTTP instead of HTTPS");
  bool http2 = false;
  app.add_flag("--http2", http2,
               "serve HTTP/2 only (HTTPS, ALPN h2): clients multiplex their requests over a few connections, "
               "as on the real services");
  bool scheduler = false;
  bool meeting_changes = false;
  app.add_flag("--meeting-changes", meeting_changes,
               "/_sim/advance also changes 20% of the previous epoch's meetings in place (subject, times, location, attendees)");
  app.add_flag("--scheduler", scheduler, "orgs have Salesforce Scheduler: one ServiceResource per user (free/busy as ResourceAbsence)");
  app.add_flag("--expired-cert", expired_cert, "serve an expired leaf certificate");
  app.add_flag("--rotate-refresh-tokens", rotate_refresh_tokens,
               "Salesforce answers every refresh grant with a new refresh token and voids the old one");
  app.add_option("--cert-hosts", cert_hosts, "comma-separated leaf certificate hosts")->capture_default_str();
  app.add_option("--token-ttl", token_ttl, "access token lifetime in seconds")->check(CLI::Range(std::int64_t{1}, std::int64_t{31536000}))->capture_default_str();
  app.add_option("--contacts-per-tenant", contacts, "external people per tenant (default max(50, 2*users))")->check(CLI::Range(1, 10000000));
  app.add_option("--api-version", api_version, "Salesforce API version written to the configuration")->capture_default_str();
  app.add_option("--mail-access", mail_access,
                 "Microsoft tenants' mail access written to the configuration: application (admin consent) or "
                 "delegated (each user's own refresh token, /_sim/reissue-mailbox; Gmail tenants: access = oauth_user)")
      ->check(CLI::IsMember({"application", "delegated"}))
      ->capture_default_str();
  app.add_option("--providers", providers_text, "comma-separated providers assigned to tenants in turn: graph, gmail, ews")->capture_default_str();
  app.add_option("--gmail-user-quota", gmail_user_quota, "Gmail quota units per user per second")->check(CLI::Range(1, 1000000))->capture_default_str();
  std::string capture_text = "automatic", object_text = "task";
  app.add_option("--capture", capture_text, "capture rule set written to the configuration and judged by the ground truth: automatic, selective, exclusions, create-lead")->capture_default_str();
  app.add_option("--object", object_text, "Salesforce object the configuration asks for: task, email-message")->capture_default_str();
  std::string authorization_text = "service_account";
  app.add_option("--authorization", authorization_text,
                 "Salesforce authorization the configuration asks for: service_account, per_user (each user's own "
                 "refresh token, POST /_sim/reissue?tenant=T&user=ADDRESS)")
      ->check(CLI::IsMember({"service_account", "per_user"}))
      ->capture_default_str();
  app.add_option("--gmail-history-retention", gmail_history_retention, "advances a Gmail startHistoryId stays valid for")->check(CLI::Range(1, 100000000))->capture_default_str();
  std::string limits_text;
  app.add_option("--limits", limits_text, "limits mode: latency and the real services' concurrency and rate limits (realistic)");
  int limits_mailbox_concurrency = 0;
  app.add_option("--limits-mailbox-concurrency", limits_mailbox_concurrency,
                 "with --limits: concurrent requests allowed per (app, mailbox) instead of the profile's")
      ->check(CLI::Range(1, 1000));
  int limits_org_concurrency = 0;
  app.add_option("--limits-org-concurrency", limits_org_concurrency,
                 "with --limits: concurrent requests allowed per Salesforce org instead of the profile's 25")
      ->check(CLI::Range(1, 1000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kUsageError;
  }

  auto hostport = ParseListen(listen);
  if (!hostport) return Fail(kUsageError, "--listen must be HOST:PORT with PORT in 0..65535, got '" + listen + "'");
  static const std::regex kApiVersion(R"(([0-9]{2,3})\.0)");
  std::smatch match;
  if (!std::regex_match(api_version, match, kApiVersion) || std::stoi(match[1]) < 46) {
    return Fail(kUsageError, "--api-version must look like 60.0 (46.0 or later), got '" + api_version + "'");
  }
  std::vector<crmsync::sim::Provider> providers;
  for (const std::string& p : SplitList(providers_text)) {
    if (p == "graph") providers.push_back(crmsync::sim::Provider::kGraph);
    else if (p == "gmail") providers.push_back(crmsync::sim::Provider::kGmail);
    else if (p == "ews") providers.push_back(crmsync::sim::Provider::kEws);
    else return Fail(kUsageError, "--providers takes graph, gmail and ews, got '" + p + "'");
  }
  if (providers.empty()) return Fail(kUsageError, "--providers must name at least one provider");
  if (capture_text == "freebusy") return Fail(kUsageError, "--capture freebusy is not supported yet (calendars come later)");
  auto capture_kind = crmsync::sim::ParseRuleSetKind(capture_text);
  if (!capture_kind) {
    return Fail(kUsageError, "--capture takes automatic, selective, exclusions or create-lead, got '" + capture_text + "'");
  }
  if (object_text != "task" && object_text != "email-message") {
    return Fail(kUsageError, "--object takes task or email-message, got '" + object_text + "'");
  }
  std::vector<std::string> hosts = SplitList(cert_hosts);
  if (!plain_http && hosts.empty()) return Fail(kUsageError, "--cert-hosts must name at least one host");
  if (plain_http && expired_cert) return Fail(kUsageError, "--expired-cert needs HTTPS; drop --plain-http");
  if (plain_http && http2) {
    return Fail(kUsageError, "--http2 is served over HTTPS only (ALPN h2); drop --plain-http or --http2");
  }

  namespace fs = std::filesystem;
  std::error_code ec;
  if (ca_dir.empty()) {
    fs::path base = !write_config.empty() ? fs::path(write_config).parent_path()
                    : !port_file.empty()  ? fs::path(port_file).parent_path()
                                          : fs::current_path(ec);
    ca_dir = (base / "sim-ca").string();
  }
  ca_dir = fs::absolute(ca_dir, ec).lexically_normal().string();

  crmsync::sim::ServerOptions server_options;
  server_options.host = hostport->host;
  server_options.port = hostport->port;
  server_options.tls = !plain_http;
  server_options.http2 = http2;
  std::string ca_file;
  if (!plain_http) {
    try {
      fs::create_directories(ca_dir, ec);
      auto ca = crmsync::sim::CertificateAuthority::LoadOrCreate(ca_dir);
      server_options.identity = ca.IssueLeaf(hosts, expired_cert);
      ca_file = fs::absolute(ca.ca_cert_path(), ec).string();
    } catch (const std::exception& e) {
      return Fail(kRuntimeError, std::string("certificate authority: ") + e.what());
    }
  }

  // Block the stop signals before any server thread exists, so that only
  // sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<crmsync::sim::Simulator> simulator;
  std::atomic<crmsync::sim::Simulator*> ready{nullptr};
  std::unique_ptr<crmsync::sim::Server> server;
  try {
    server = crmsync::sim::MakeServer(server_options, [&ready](const HttpRequest& request) {
      crmsync::sim::Simulator* sim = ready.load(std::memory_order_acquire);
      if (sim == nullptr) {
        return crmsync::sim::JsonResponse(503, R"({"error":{"code":"ServiceUnavailable","message":"starting"}})");
      }
      return sim->Handle(request);
    });
  } catch (const std::exception& e) {
    return Fail(kRuntimeError, std::string("cannot listen on ") + listen + ": " + e.what());
  }

  std::string host = hostport->host;
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  const std::string origin =
      fmt::format("{}://{}:{}", plain_http ? "http" : "https", crmsync::sim::OriginHost(host), server->port());

  crmsync::sim::SimulatorOptions options;
  options.corpus = crmsync::sim::CorpusOptions{seed, tenants, users, messages, contacts, providers};
  options.corpus.scheduler = scheduler;
  options.corpus.meeting_changes = meeting_changes;
  // The engine applies max_age_days against the real clock: so does the rule set.
  options.corpus.capture = crmsync::sim::MakeRuleSet(*capture_kind, crmsync::sim::Corpus::StartClock(seed),
                                                     static_cast<std::int64_t>(std::time(nullptr)));
  options.origin = origin;
  options.email_message_objects = object_text == "email-message";
  options.token_ttl = std::chrono::seconds(token_ttl);
  options.gmail.user_quota = gmail_user_quota;
  options.gmail.history_retention = gmail_history_retention;
  if (!limits_text.empty()) {
    options.limits = crmsync::sim::LimitsProfile(limits_text);
    if (!options.limits) return Fail(kUsageError, "--limits takes realistic, got '" + limits_text + "'");
    if (limits_mailbox_concurrency > 0) options.limits->mailbox_concurrency = limits_mailbox_concurrency;
    if (limits_org_concurrency > 0) options.limits->org_concurrency = limits_org_concurrency;
  } else if (limits_mailbox_concurrency > 0 || limits_org_concurrency > 0) {
    return Fail(kUsageError, "--limits-mailbox-concurrency and --limits-org-concurrency need --limits");
  }
  try {
    simulator = std::make_unique<crmsync::sim::Simulator>(options);
  } catch (const std::exception& e) {
    return Fail(kRuntimeError, e.what());
  }
  simulator->salesforce().SetRotateRefreshTokens(rotate_refresh_tokens);
  simulator->admin().SetPerUserAuthorization(authorization_text == "per_user");
  if (fault_rate > 0) simulator->faults().Set(crmsync::sim::MixedFaults(fault_rate, seed));
  if (!sf_missing_key_field.empty()) simulator->salesforce().SetMissingKeyField(sf_missing_key_field);
  ready.store(simulator.get(), std::memory_order_release);

  if (!write_config.empty()) {
    std::string key_dir = fs::absolute(fs::path(write_config), ec).parent_path().string();
    crmsync::sim::ConfigTarget target{origin, ca_file, api_version, key_dir};
    if (object_text == "email-message") target.object_model = "enhanced_email";
    target.delegated_mail = mail_access == "delegated";
    target.per_user_authorization = authorization_text == "per_user";
    // Service-account keys are generated at each start: rewrite them every run.
    for (const crmsync::sim::Tenant& t : simulator->corpus().tenants()) {
      if (t.provider != crmsync::sim::Provider::kGmail) continue;
      auto status = crmsync::sim::WriteFileAtomically(crmsync::sim::KeyFilePath(target, t),
                                                      simulator->google_auth().KeyFileJson(t.index), 0600);
      if (!status.ok()) return Fail(kRuntimeError, status.ToString());
    }
    // The configuration holds client secrets and refresh tokens: owner-only.
    auto status = crmsync::sim::WriteFileAtomically(
        write_config, crmsync::sim::RenderConfig(simulator->corpus(), target), 0600);
    if (!status.ok()) return Fail(kRuntimeError, status.ToString());
  }
  if (!port_file.empty()) {
    auto status = crmsync::sim::WriteFileAtomically(port_file, fmt::format("{}\n", server->port()));
    if (!status.ok()) return Fail(kRuntimeError, status.ToString());
  }
  fmt::print("crmsync-sim listening on {} (tenants={} users={} messages={})\n", origin, tenants, users, messages);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.reset();   // stop serving before the simulator goes away
  ready.store(nullptr);
  return 0;
}

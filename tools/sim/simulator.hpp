// crmsync-sim's request router: one object that owns the corpus and every
// simulated service and answers any request. Tests drive Handle() directly,
// main.cpp puts it behind the HttpServer. Thread-safe; Handle never throws.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "issued_tokens.hpp"
#include "isolation_log.hpp"
#include "admin_service.hpp"
#include "calendar_service.hpp"
#include "corpus.hpp"
#include "delegated_admin.hpp"
#include "delegated_tokens.hpp"
#include "faults.hpp"
#include "ews/ews_service.hpp"
#include "gmail_service.hpp"
#include "google_auth.hpp"
#include "graph_service.hpp"
#include "http_server.hpp"
#include "http_util.hpp"
#include "identity_service.hpp"
#include "lifecycle_admin.hpp"
#include "limits.hpp"
#include "mailbox_access.hpp"
#include "salesforce_sim.hpp"

namespace crmsync::sim {

struct SimulatorOptions {
  CorpusOptions corpus;
  std::string origin = "https://127.0.0.1:0";   // used in every absolute link
  std::chrono::seconds token_ttl{3599};          // Microsoft and Salesforce access tokens
  SteadyClock clock;                              // default: std::chrono::steady_clock
  google::UnixClock unix_clock;                   // JWT iat/exp checks; default: system clock
  google::GmailOptions gmail;                     // per-user quota, history retention
  // --object email-message: /_sim/verify counts EmailMessage records (and
  // their relations) instead of Tasks.
  bool email_message_objects = false;
  std::optional<LimitsOptions> limits;            // --limits: latency, concurrency and rate limits
};

class Simulator {
 public:
  explicit Simulator(SimulatorOptions options);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  HttpResponse Handle(const HttpRequest& request);

  const SimulatorOptions& options() const { return options_; }
  Corpus& corpus() { return corpus_; }
  SalesforceSim& salesforce() { return salesforce_; }
  AdminService& admin() { return admin_; }
  google::GoogleAuth& google_auth() { return google_auth_; }
  ews::EwsService& ews() { return ews_; }
  FaultPlan& faults() { return faults_; }

 private:
  HttpResponse Route(const HttpRequest& request);
  HttpResponse IssuedTokensResponse() const;

  SimulatorOptions options_;
  FaultPlan faults_;   // before the services that hold a pointer to it
  Corpus corpus_;
  IsolationLog isolation_;
  IsolationLog delegation_;          // a user's delegated token on another mailbox of its tenant
  DelegatedTokens delegated_tokens_;
  IssuedTokens issued_tokens_;
  MailboxAccess access_;
  RequestStats stats_;
  IdentityService identity_;
  GraphService graph_;
  ews::EwsService ews_;
  google::GoogleAuth google_auth_;
  google::GmailService gmail_;
  CalendarService calendar_;   // calendar endpoints (not yet read by the engine)
  SalesforceSim salesforce_;
  AdminService admin_;
  LifecycleAdmin lifecycle_;
  DelegatedAdmin delegated_admin_;
  std::unique_ptr<SimLimits> limits_;
};

// The Salesforce org of one tenant, as the corpus defines it.
OrgSetup OrgFor(const Tenant& tenant);

}  // namespace crmsync::sim

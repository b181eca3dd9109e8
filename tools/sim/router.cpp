#include "simulator.hpp"

#include <exception>

#include <fmt/core.h>

#include "event_verify.hpp"
#include "json_escape.hpp"

namespace crmsync::sim {
namespace {

std::string AsciiUpper(std::string text) {
  for (char& c : text) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return text;
}

std::vector<std::string> TenantIds(const Corpus& corpus) {
  std::vector<std::string> ids;
  for (const Tenant& tenant : corpus.tenants()) ids.push_back(tenant.id);
  return ids;
}

}  // namespace

OrgSetup OrgFor(const Tenant& tenant) {
  OrgSetup org;
  org.org_id = tenant.sf_org_id;
  org.tenant = tenant.id;
  org.client_id = tenant.sf_client_id;
  org.client_secret = tenant.sf_client_secret;
  org.refresh_token = tenant.sf_refresh_token;
  org.integration_user_id = tenant.sf_integration_user_id;
  org.records.reserve(tenant.users.size() + tenant.people.size() + 1);
  org.records.push_back(DirectoryRecord{"User", tenant.sf_integration_user_id,
                                        "crmsync.integration@" + tenant.domains[0], "crmsync", "Integration", ""});
  for (const MailUser& u : tenant.users) {
    // FederationIdentifier: the primary address upper-cased, so that
    // salesforce_match = "federation_id" exercises case-insensitive matching.
    org.records.push_back(DirectoryRecord{"User", u.sf_user_id, u.primary, u.given_name, u.surname, AsciiUpper(u.primary)});
  }
  for (const ExternalPerson& p : tenant.people) {
    if (!p.contact_id.empty()) {
      org.records.push_back(DirectoryRecord{"Contact", p.contact_id, p.crm_email, p.first_name, p.last_name, ""});
    }
    if (!p.lead_id.empty()) {
      org.records.push_back(DirectoryRecord{"Lead", p.lead_id, p.crm_email, p.first_name, p.last_name, ""});
    }
  }
  return org;
}

Simulator::Simulator(SimulatorOptions options)
    : options_(std::move(options)),
      corpus_(options_.corpus),
      isolation_(TenantIds(corpus_)),
      delegation_(TenantIds(corpus_)),
      identity_(corpus_, options_.origin, options_.token_ttl, options_.clock),
      graph_(corpus_, identity_, options_.origin, stats_),
      ews_(corpus_, identity_, stats_),
      google_auth_(corpus_, options_.origin, options_.token_ttl, options_.clock, options_.unix_clock),
      gmail_(corpus_, google_auth_, stats_, options_.gmail, options_.clock),
      calendar_(corpus_, identity_, google_auth_, options_.origin, stats_),
      salesforce_(options_.origin, options_.token_ttl, options_.clock),
      admin_(corpus_, salesforce_, graph_, stats_),
      lifecycle_(corpus_, salesforce_, access_),
      delegated_admin_(corpus_, delegated_tokens_, access_) {
  admin_.SetFaultPlan(&faults_);
  salesforce_.SetRecordFaults([this](const std::string& tenant, const std::string& key) {
    return faults_.RecordError(tenant, key);
  });
  identity_.SetMailboxAccess(&access_);
  graph_.SetMailboxAccess(&access_);
  google_auth_.SetMailboxAccess(&access_);
  graph_.SetIsolationLog(&isolation_);
  graph_.SetDelegationLog(&delegation_);
  identity_.SetDelegatedTokens(&delegated_tokens_);
  google_auth_.SetDelegatedTokens(&delegated_tokens_);
  google_auth_.SetDelegationLog(&delegation_);
  admin_.SetDelegationLog(&delegation_);
  ews_.SetIsolationLog(&isolation_);
  google_auth_.SetIsolationLog(&isolation_);
  salesforce_.SetForeignReferenceHook([this](const std::string& tenant) { isolation_.Record(tenant); });
  admin_.SetIsolationLog(&isolation_);
  identity_.SetIssuedTokens(&issued_tokens_);
  google_auth_.SetIssuedTokens(&issued_tokens_);
  salesforce_.SetTokenIssuedHook([this](const std::string& token) { issued_tokens_.Add(token); });
  for (const Tenant& tenant : corpus_.tenants()) {
    OrgSetup org = OrgFor(tenant);
    if (corpus_.options().scheduler) AddServiceResources(tenant, org);
    salesforce_.AddOrg(std::move(org));
  }
  admin_.SetEmailMessageObjects(options_.email_message_objects);
  if (options_.limits) limits_ = std::make_unique<SimLimits>(*options_.limits, stats_);
}

HttpResponse Simulator::Route(const HttpRequest& request) {
  if (SalesforceSim::Owns(request)) return salesforce_.Handle(request);
  if (CalendarService::Owns(request)) return calendar_.Handle(request);   // before Graph: same /v1.0/users root
  if (GraphService::Owns(request)) return graph_.Handle(request);
  if (ews::EwsService::Owns(request)) return ews_.Handle(request);
  if (google::GmailService::Owns(request)) return gmail_.Handle(request);
  if (google::GoogleAuth::Owns(request)) {
    HttpResponse r = google_auth_.Handle(request);
    stats_.Count("google.token", r.status);
    return r;
  }
  if (google::GoogleAuth::OwnsAdmin(request)) return google_auth_.HandleAdmin(request);
  if (LifecycleAdmin::Owns(request)) return lifecycle_.Handle(request);
  if (DelegatedAdmin::Owns(request)) return delegated_admin_.Handle(request);
  if (request.path == "/_sim/issued-tokens" && request.method == "GET") return IssuedTokensResponse();
  if (AdminService::Owns(request)) return admin_.Handle(request);
  if (IdentityService::Owns(request)) {
    HttpResponse r = identity_.Handle(request);
    stats_.Count("ms.token", r.status);
    return r;
  }
  return JsonResponse(404, fmt::format(R"({{"error":{{"code":"NotFound","message":"No simulated service serves '{}'."}}}})",
                                       JsonEscape(request.path)));
}

// Test support: the access tokens handed out so far, for secret searches.
HttpResponse Simulator::IssuedTokensResponse() const {
  std::string body = R"({"tokens":[)";
  bool first = true;
  for (const auto& token : issued_tokens_.All()) {
    if (!first) body += ',';
    first = false;
    body += '"' + JsonEscape(token) + '"';
  }
  return JsonResponse(200, body + "]}");
}

HttpResponse Simulator::Handle(const HttpRequest& request) {
  try {
    if (request.path == "/_sim/faults") return HandleFaultsAdmin(faults_, request);
    if (limits_ && SimLimits::Owns(request)) return limits_->Describe();
    // Limits first (a request over a limit never reaches the service), then
    // the injected faults, then the service itself.
    auto serve = [&]() -> HttpResponse {
      if (faults_.active()) {
        if (auto family = FamilyOf(request)) {
          return ServeWithFaults(faults_, *family, request, [&] { return Route(request); });
        }
      }
      return Route(request);
    };
    if (limits_) return limits_->Apply(request, serve);
    return serve();
  } catch (const std::exception& e) {
    return JsonResponse(500, fmt::format(R"({{"error":{{"code":"InternalServerError","message":"{}"}}}})",
                                         JsonEscape(e.what())));
  } catch (...) {
    return JsonResponse(500, R"({"error":{"code":"InternalServerError","message":"unknown error"}})");
  }
}

}  // namespace crmsync::sim

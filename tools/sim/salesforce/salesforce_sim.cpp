// Routing, authentication and snapshots. The endpoints live in their own
// files: oauth_token.cpp, versions.cpp, query.cpp, upsert.cpp.
#include "salesforce_sim.hpp"

#include <exception>

#include "sf_text.hpp"
#include "sim_state.hpp"
#include "task_fields.hpp"
#include "test_hooks.hpp"

namespace crmsync::sim {
namespace {

using sf::Family;
using sf::SfError;

constexpr std::string_view kTokenPath = "/services/oauth2/token";
constexpr std::string_view kServicesPrefix = "/services/";
constexpr std::string_view kDataPath = "/services/data";
constexpr int kMinApiVersion = 46;   // sObject Collections upsert
constexpr int kMaxApiVersion = 67;
// Salesforce refuses longer request URIs with 414.
constexpr std::size_t kMaxUriBytes = 16384;

HttpResponse NotFound() {
  return sf::RestError(404, {"NOT_FOUND", "The requested resource does not exist", {}});
}

HttpResponse MethodNotAllowed(const std::string& method, std::string_view allowed) {
  return sf::RestError(405, {"METHOD_NOT_ALLOWED",
                             "HTTP Method '" + method + "' not allowed. Allowed are " +
                                 std::string(allowed),
                             {}});
}

// "v66.0" -> 66; 0 when not a served version.
int ParseVersion(std::string_view segment) {
  if (segment.size() != 5 || segment[0] != 'v' || segment.substr(3) != ".0") return 0;
  char tens = segment[1];
  char ones = segment[2];
  if (tens < '0' || tens > '9' || ones < '0' || ones > '9') return 0;
  int version = (tens - '0') * 10 + (ones - '0');
  return version >= kMinApiVersion && version <= kMaxApiVersion ? version : 0;
}

std::string_view BearerToken(const HttpRequest& request) {
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return {};
  std::string_view value = it->second;
  for (std::string_view scheme : {std::string_view("Bearer "), std::string_view("OAuth ")}) {
    if (value.size() > scheme.size() && sf::EqualsNoCase(value.substr(0, scheme.size()), scheme)) {
      return value.substr(scheme.size());
    }
  }
  return {};
}

}  // namespace

SalesforceSim::Impl::Impl(std::string origin_in, std::chrono::seconds ttl_in, SteadyClock clock_in)
    : origin(std::move(origin_in)),
      token_ttl(ttl_in),
      clock(clock_in ? std::move(clock_in) : SteadyClock([] { return std::chrono::steady_clock::now(); })) {}

std::shared_ptr<sf::Org> SalesforceSim::Impl::Authenticate(const HttpRequest& request) const {
  std::string_view token = BearerToken(request);
  if (token.empty()) return nullptr;
  std::shared_lock lock(sessions_mu);
  auto it = sessions.find(std::string(token));
  if (it == sessions.end()) return nullptr;
  if (Now() - it->second.issued >= token_ttl) return nullptr;
  return it->second.org;
}

std::string SalesforceSim::Impl::SessionUser(const HttpRequest& request) const {
  std::string_view token = BearerToken(request);
  std::shared_lock lock(sessions_mu);
  auto it = sessions.find(std::string(token));
  return it == sessions.end() ? std::string() : it->second.user_id;
}

std::shared_ptr<sf::Org> SalesforceSim::Impl::OrgOfToken(const HttpRequest& request) const {
  std::string_view token = BearerToken(request);
  std::size_t bang = token.find('!');
  if (bang == std::string_view::npos) return nullptr;
  std::shared_lock lock(orgs_mu);
  auto it = orgs_by_id.find(std::string(token.substr(0, bang)));
  return it == orgs_by_id.end() ? nullptr : it->second;
}

HttpResponse SalesforceSim::Impl::Route(const HttpRequest& request, Family& family) {
  std::string_view path = request.path;
  if (path == "/services/oauth2/authorize") {
    family = Family::kToken;
    return HandleAuthorize(request);
  }
  if (path == kTokenPath) {
    family = Family::kToken;
    return HandleToken(request);
  }
  family = Family::kOther;
  if (path != kDataPath && !path.starts_with(std::string(kDataPath) + "/")) {
    HttpResponse response = NotFound();
    sf::AddLimitInfo(response, 0);
    return response;
  }
  std::string_view rest = path.substr(kDataPath.size());
  if (rest.empty() || rest == "/") {
    family = Family::kVersions;
    return HandleVersions(request);
  }
  rest.remove_prefix(1);
  std::size_t slash = rest.find('/');
  std::string_view version_segment = rest.substr(0, slash);
  std::string_view tail = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (tail.size() > 1 && tail.back() == '/') tail.remove_suffix(1);
  if (tail == "/" ) tail = {};

  constexpr std::string_view kQuery = "/query";
  constexpr std::string_view kCollections = "/composite/sobjects";
  constexpr std::string_view kGraph = "/composite/graph";
  if (tail == kGraph) {
    family = Family::kUpsert;
  } else if (tail == kQuery || tail.starts_with("/query/")) {
    family = Family::kQuery;
  } else if (tail == kCollections || tail.starts_with("/composite/sobjects/")) {
    family = Family::kUpsert;
  }

  int version = ParseVersion(version_segment);
  std::size_t uri_bytes =
      request.path.size() + (request.raw_query.empty() ? 0 : 1 + request.raw_query.size());
  std::shared_ptr<sf::Org> org = version == 0 ? nullptr : Authenticate(request);
  std::uint64_t usage = 0;
  HttpResponse response;
  if (version == 0) {
    response = NotFound();
  } else if (uri_bytes > kMaxUriBytes) {
    response = sf::RestError(414, {"URI_TOO_LONG",
                                   "The request URI is longer than 16384 bytes. Send long SOQL "
                                   "in a request body (Composite) instead.",
                                   {}});
  } else if (org == nullptr) {
    auto named = OrgOfToken(request);
    if (named != nullptr) usage = named->api_usage.load();
    response = sf::RestError(401, {"INVALID_SESSION_ID", "Session expired or invalid", {}});
  } else {
    usage = org->api_usage.fetch_add(1) + 1;
    if (tail.empty()) {
      response = request.method == "GET" ? HandleVersionRoot(version, *org)
                                         : MethodNotAllowed(request.method, "GET,HEAD");
    } else if (tail.starts_with("/sobjects/") && tail.ends_with("/describe") &&
               tail.size() > std::string_view("/sobjects//describe").size()) {
      const std::string_view name = tail.substr(10, tail.size() - 10 - 9);
      response = request.method != "GET"                        ? MethodNotAllowed(request.method, "GET,HEAD")
                 : name.find('/') == std::string_view::npos ? HandleDescribe(name)
                                                             : NotFound();
    } else if (tail == "/limits") {
      response = request.method == "GET" ? HandleLimits(*org) : MethodNotAllowed(request.method, "GET,HEAD");
    } else if (family == Family::kQuery) {
      if (request.method != "GET") {
        response = MethodNotAllowed(request.method, "GET,HEAD");
      } else if (tail == kQuery) {
        response = HandleQuery(request, version, *org);
      } else {
        std::string_view locator = tail.substr(kQuery.size() + 1);
        response = locator.find('/') == std::string_view::npos ? HandleQueryMore(locator, version, *org)
                                                               : NotFound();
      }
    } else if (tail == kGraph) {
      response = request.method == "POST" ? HandleCompositeGraph(request, version, *org)
                                          : MethodNotAllowed(request.method, "POST");
    } else if (family == Family::kUpsert) {
      std::string_view target = tail.substr(kCollections.size());   // "" or "/Task/Field"
      std::size_t sep = target.find('/', 1);
      if (target.empty() && request.method == "DELETE") {
        response = HandleCollectionsDelete(request, *org, SessionUser(request));
        AfterUpsert(*org);
      } else if (target.empty() || sep == std::string_view::npos ||
          target.find('/', sep + 1) != std::string_view::npos || sep + 1 == target.size()) {
        response = sf::RestError(404, {"NOT_FOUND",
                                       "The requested resource does not exist (the simulated "
                                       "Salesforce serves only the upsert PATCH "
                                       "/composite/sobjects/Task/Crmsync_Key__c)",
                                       {}});
      } else if (request.method != "PATCH") {
        response = MethodNotAllowed(request.method, "PATCH");
      } else {
        response = HandleUpsert(request, target.substr(1, sep - 1), target.substr(sep + 1), *org,
                                SessionUser(request));
        AfterUpsert(*org);
      }
    } else {
      response = NotFound();
    }
  }
  sf::AddLimitInfo(response, usage);
  return response;
}

SalesforceSim::SalesforceSim(std::string origin, std::chrono::seconds token_ttl, SteadyClock clock)
    : impl_(std::make_unique<Impl>(std::move(origin), token_ttl, std::move(clock))) {}

SalesforceSim::~SalesforceSim() = default;

void SalesforceSim::AddOrg(OrgSetup org_setup) {
  auto directory = sf::BuildDirectory(org_setup);
  org_setup.records.clear();
  org_setup.records.shrink_to_fit();
  std::unique_lock lock(impl_->orgs_mu);
  std::shared_ptr<sf::Org>& org = impl_->orgs_by_id[org_setup.org_id];
  if (org == nullptr) {
    org = std::make_shared<sf::Org>();
    org->index = static_cast<std::uint32_t>(impl_->orgs_by_id.size());
    org->org_id = org_setup.org_id;
  }
  std::lock_guard org_lock(org->mu);
  // Re-adding an org replaces its credentials and directory (this is how a
  // refresh token gets revoked) but keeps its Tasks.
  auto old_client = impl_->orgs_by_client_id.find(org->credentials.client_id);
  if (old_client != impl_->orgs_by_client_id.end() && old_client->second == org) {
    impl_->orgs_by_client_id.erase(old_client);
  }
  impl_->orgs_by_client_id[org_setup.client_id] = org;
  org->credentials = std::move(org_setup);
  org->directory = std::move(directory);
  if (!org->leads.empty()) sf::AddCreatedLeadsToDirectory(*org);
}

bool SalesforceSim::Owns(const HttpRequest& request) {
  return request.path.starts_with(kServicesPrefix) || request.path == "/services";
}

HttpResponse SalesforceSim::Handle(const HttpRequest& request) {
  Family family = Family::kOther;
  HttpResponse response;
  try {
    response = impl_->Route(request, family);
  } catch (const std::exception& e) {
    response = sf::RestError(500, {"UNKNOWN_EXCEPTION",
                                   std::string("An unexpected error occurred: ") + e.what(), {}});
  } catch (...) {
    response = sf::RestError(500, {"UNKNOWN_EXCEPTION", "An unexpected error occurred.", {}});
  }
  impl_->request_counts.Add(family, response.status);
  return response;
}

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> SalesforceSim::TasksByKey() const {
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> out;
  std::shared_lock lock(impl_->orgs_mu);
  for (const auto& [org_id, org] : impl_->orgs_by_id) {
    std::lock_guard org_lock(org->mu);
    auto& by_key = out[org->credentials.tenant];
    const std::size_t key_field = sf::TaskFieldIndex(*sf::FindTaskField(sf::kExternalIdField));
    for (std::uint32_t i = 0; i < org->tasks.size(); ++i) {
      const sf::TaskValues& values = org->tasks[i].values;
      by_key[std::string(values.Get(key_field).value_or(""))].push_back(StoredTask{sf::TaskId(*org, i), values.ToMap()});
    }
  }
  return out;
}

std::uint64_t SalesforceSim::TaskCount() const {
  std::uint64_t count = 0;
  std::shared_lock lock(impl_->orgs_mu);
  for (const auto& [org_id, org] : impl_->orgs_by_id) {
    std::lock_guard org_lock(org->mu);
    count += org->tasks.size();
  }
  return count;
}

SalesforceCounters SalesforceSim::counters() const {
  SalesforceCounters c;
  c.records_created = impl_->records_created.load();
  c.records_updated = impl_->records_updated.load();
  c.records_failed = impl_->records_failed.load();
  return c;
}

std::map<std::string, std::map<int, std::uint64_t>> SalesforceSim::RequestCounts() const {
  return impl_->request_counts.Snapshot();
}

void SalesforceSim::SetRecordFaults(RecordFaults faults) { impl_->record_faults = std::move(faults); }

void SalesforceSimTestAccess::SetUpsertDecidedHook(SalesforceSim& sim,
                                                   std::function<void(const std::string&)> hook) {
  sim.impl_->upsert_decided_hook = std::move(hook);
}

std::uint64_t SalesforceSimTestAccess::RaceCreates(const SalesforceSim& sim, const std::string& org_id) {
  std::shared_lock lock(sim.impl_->orgs_mu);
  auto it = sim.impl_->orgs_by_id.find(org_id);
  if (it == sim.impl_->orgs_by_id.end()) return 0;
  std::lock_guard org_lock(it->second->mu);
  return it->second->race_creates;
}

}  // namespace crmsync::sim

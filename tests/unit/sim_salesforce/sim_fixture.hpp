// Shared setup of the simulated-Salesforce tests: two orgs with a small
// directory, a fake steady clock, request builders and JSON access.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <simdjson.h>

#include "salesforce_ids.hpp"
#include "salesforce_sim.hpp"

namespace crmsync::sim::testing {

inline constexpr char kOrigin[] = "https://127.0.0.1:8443";
inline constexpr auto kTokenTtl = std::chrono::hours(2);

// Percent-encodes everything but unreserved characters.
inline std::string UrlEncode(const std::string& text, bool plus_for_space = false) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && plus_for_space) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

inline std::unique_ptr<Json> ParseJson(const std::string& text) {
  auto json = std::make_unique<Json>();
  json->root = json->parser.parse(text).value();   // throws on malformed output: the test fails
  return json;
}

inline std::string Str(simdjson::dom::element e) { return std::string(e.get_string().value()); }

struct OrgFixture {
  OrgSetup setup;
  std::vector<std::string> contact_ids;
  std::vector<std::string> lead_ids;
  std::vector<std::string> user_ids;
};

// Org `n` (1-based) of tenant "tenant-n", with `contacts` contacts
// c<i>@org<n>.example (first one with upper-case letters), 2 leads, 2 users.
inline OrgFixture MakeOrg(std::uint32_t n, int contacts = 3) {
  OrgFixture f;
  f.setup.org_id = sf::MakeSalesforceId("00D", 900 + n, 1);
  f.setup.tenant = "tenant-" + std::to_string(n);
  f.setup.client_id = "client-" + std::to_string(n);
  f.setup.client_secret = "s3cr+t &" + std::to_string(n);
  f.setup.refresh_token = "5Aep861.refresh/" + std::to_string(n) + "==";
  f.setup.integration_user_id = sf::MakeSalesforceId("005", 900 + n, 999);
  for (int i = 0; i < contacts; ++i) {
    std::string id = sf::MakeSalesforceId("003", 900 + n, static_cast<std::uint64_t>(i + 1));
    std::string email = "c" + std::to_string(i) + "@org" + std::to_string(n) + ".example";
    if (i == 0) email = "Alice.Smith@Org" + std::to_string(n) + ".EXAMPLE";
    f.setup.records.push_back({"Contact", id, email, "Alice" + std::to_string(i), "Smith", ""});
    f.contact_ids.push_back(id);
  }
  for (int i = 0; i < 2; ++i) {
    std::string id = sf::MakeSalesforceId("00Q", 900 + n, static_cast<std::uint64_t>(i + 1));
    f.setup.records.push_back({"Lead", id, "lead" + std::to_string(i) + "@prospect.example", "", "Lead", ""});
    f.lead_ids.push_back(id);
  }
  f.setup.records.push_back({"Contact", sf::MakeSalesforceId("003", 900 + n, 500), "o'brien@org.example",
                             "Pat", "O'Brien", ""});
  for (int i = 0; i < 2; ++i) {
    std::string id = sf::MakeSalesforceId("005", 900 + n, static_cast<std::uint64_t>(i + 1));
    f.setup.records.push_back({"User", id, "user" + std::to_string(i) + "@org" + std::to_string(n) + ".example",
                               "User", std::to_string(i), ""});
    f.user_ids.push_back(id);
  }
  return f;
}

class SimFixture {
 public:
  SimFixture()
      : sim_(kOrigin, std::chrono::duration_cast<std::chrono::seconds>(kTokenTtl), [this] { return now_; }) {
    org1_ = MakeOrg(1);
    org2_ = MakeOrg(2);
    sim_.AddOrg(org1_.setup);
    sim_.AddOrg(org2_.setup);
  }

  static HttpRequest TokenRequest(const std::string& client_id, const std::string& secret,
                                  const std::string& refresh_token,
                                  const std::string& grant_type = "refresh_token") {
    HttpRequest r;
    r.method = "POST";
    r.path = "/services/oauth2/token";
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.body = "grant_type=" + UrlEncode(grant_type) + "&client_id=" + UrlEncode(client_id) +
             "&client_secret=" + UrlEncode(secret, true) + "&refresh_token=" + UrlEncode(refresh_token);
    return r;
  }

  // A live access token of `org`.
  std::string Login(const OrgFixture& org) {
    HttpResponse r = sim_.Handle(TokenRequest(org.setup.client_id, org.setup.client_secret,
                                              org.setup.refresh_token));
    auto json = ParseJson(r.body);
    return Str(json->root["access_token"]);
  }

  static HttpRequest Get(const std::string& path, const std::string& token,
                         const std::vector<std::pair<std::string, std::string>>& query = {}) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    for (const auto& [name, value] : query) {
      if (!r.raw_query.empty()) r.raw_query += '&';
      r.raw_query += UrlEncode(name) + "=" + UrlEncode(value);
      r.query.emplace(name, value);
    }
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return r;
  }

  static HttpRequest Query(const std::string& soql, const std::string& token, int version = 66) {
    return Get("/services/data/v" + std::to_string(version) + ".0/query", token, {{"q", soql}});
  }

  static HttpRequest Upsert(const std::string& body, const std::string& token,
                            const std::string& target = "Task/Crmsync_Key__c") {
    HttpRequest r;
    r.method = "PATCH";
    r.path = "/services/data/v66.0/composite/sobjects/" + target;
    r.headers["authorization"] = "Bearer " + token;
    r.headers["content-type"] = "application/json";
    r.body = body;
    return r;
  }

  static std::string Header(const HttpResponse& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  }

 protected:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
  SalesforceSim sim_;
  OrgFixture org1_;
  OrgFixture org2_;
};

}  // namespace crmsync::sim::testing

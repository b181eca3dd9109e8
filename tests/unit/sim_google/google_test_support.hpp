// Helpers for the Google side of crmsync-sim: a simulator with Gmail tenants,
// JWT assertions signed with OpenSSL, access tokens.
#pragma once

#include <string>

#include "config_writer.hpp"
#include "rsa_key.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

namespace crmsync::sim::testing {

inline constexpr std::int64_t kNow = 1795000000;

// tenant-1 graph, tenant-2 gmail (and so on in turn).
inline SimulatorOptions MixedOptions(int tenants, int users, int messages, const FakeClock& clock, int quota = 250) {
  SimulatorOptions o = Options(tenants, users, messages, clock);
  o.corpus.providers = {Provider::kGraph, Provider::kGmail};
  o.unix_clock = [] { return kNow; };
  o.gmail.user_quota = quota;
  o.gmail.history_retention = 2;
  return o;
}

struct JwtClaims {
  std::string iss, sub, scope = "https://www.googleapis.com/auth/gmail.readonly", aud = std::string(kOrigin) + "/token";
  std::int64_t iat = kNow, exp = kNow + 3600;
  bool with_iss = true;
};

inline std::string SignJwt(const google::RsaKey& key, const JwtClaims& c) {
  std::string header = Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})");
  std::string payload = fmt::format(R"({{{}"sub":"{}","scope":"{}","aud":"{}","iat":{},"exp":{}}})",
                                    c.with_iss ? fmt::format(R"("iss":"{}",)", c.iss) : "", c.sub, c.scope, c.aud,
                                    c.iat, c.exp);
  std::string signing_input = header + "." + Base64UrlEncode(payload);
  return signing_input + "." + Base64UrlEncode(key.SignRs256(signing_input));
}

inline HttpResponse PostAssertion(Simulator& sim, const std::string& assertion) {
  return sim.Handle(Request("POST", "/token", {}, {{"content-type", "application/x-www-form-urlencoded"}},
                            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion));
}

inline JwtClaims ClaimsFor(Simulator& sim, int tenant, int user) {
  const Tenant& t = sim.corpus().tenants()[static_cast<std::size_t>(tenant)];
  JwtClaims c;
  c.iss = sim.google_auth().Account(tenant)->client_email;
  c.sub = t.users[static_cast<std::size_t>(user)].primary;
  return c;
}

inline std::string GoogleToken(Simulator& sim, int tenant, int user, std::string scope = {}) {
  JwtClaims c = ClaimsFor(sim, tenant, user);
  if (!scope.empty()) c.scope = scope;
  HttpResponse r = PostAssertion(sim, SignJwt(*sim.google_auth().Account(tenant)->key, c));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  return Str(Json(p, r)["access_token"]);
}

inline std::map<std::string, std::string> Bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

}  // namespace crmsync::sim::testing

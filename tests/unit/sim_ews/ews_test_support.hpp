// Helpers for the simulated EWS: tokens of either audience and SOAP requests.
#pragma once

#include <string>

#include "sim_test_support.hpp"

namespace crmsync::sim::testing {

inline std::string MsToken(Simulator& sim, int tenant, const std::string& scope_encoded) {
  const Tenant& t = sim.corpus().tenants()[static_cast<std::size_t>(tenant)];
  HttpResponse r = sim.Handle(Request("POST", "/" + t.ms_tenant_id + "/oauth2/v2.0/token", {},
                                      {{"content-type", "application/x-www-form-urlencoded"}},
                                      fmt::format("client_id={}&client_secret={}&scope={}&grant_type=client_credentials",
                                                  t.ms_client_id, t.ms_client_secret, scope_encoded)));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  return Str(Json(p, r)["access_token"]);
}

inline std::string EwsToken(Simulator& sim, int tenant) {
  return MsToken(sim, tenant, "https%3A%2F%2Foutlook.office365.com%2F.default");
}

struct SoapCall {
  std::string token;
  std::string impersonate;              // PrimarySmtpAddress; empty: no ExchangeImpersonation header
  std::string anchor;                   // X-AnchorMailbox; empty: none
  std::string version = "Exchange2013_SP1";
  std::string operation;                // the m: element inside soap:Body
};

inline HttpRequest Soap(const SoapCall& call) {
  std::string header;
  if (!call.version.empty()) header += R"(<t:RequestServerVersion Version=")" + call.version + R"("/>)";
  if (!call.impersonate.empty()) {
    header += "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>" + call.impersonate +
              "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>";
  }
  std::string body = R"(<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" )"
                     R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" )"
                     R"(xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">)"
                     "<soap:Header>" + header + "</soap:Header><soap:Body>" + call.operation +
                     "</soap:Body></soap:Envelope>";
  std::map<std::string, std::string> headers{{"content-type", "text/xml; charset=utf-8"}};
  if (!call.token.empty()) headers["authorization"] = "Bearer " + call.token;
  if (!call.anchor.empty()) headers["x-anchormailbox"] = call.anchor;
  return Request("POST", "/EWS/Exchange.asmx", {}, std::move(headers), std::move(body));
}

inline std::string SyncOp(const std::string& folder, int max, const std::string& state = "") {
  return R"(<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>)"
         R"(<m:SyncFolderId><t:DistinguishedFolderId Id=")" + folder + R"("/></m:SyncFolderId>)" +
         (state.empty() ? std::string() : "<m:SyncState>" + state + "</m:SyncState>") +
         "<m:MaxChangesReturned>" + std::to_string(max) + "</m:MaxChangesReturned></m:SyncFolderItems>";
}

}  // namespace crmsync::sim::testing

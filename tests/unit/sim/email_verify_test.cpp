// /_sim/verify of an Enhanced Email tenant (--object email-message): the
// EmailMessages written through the simulated composite graph endpoint
// stand in for Tasks, and relations_missing counts the relations of known
// participants that are absent.
#include <cctype>
#include <map>

#include "ground_truth.hpp"
#include "json_escape.hpp"
#include "sim_test_support.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

struct Relation {
  std::string type, address, id;
};

struct CapturedEmail {
  std::string key;
  ExpectedTask fields;
  std::vector<Relation> relations;   // known participants only
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<CapturedEmail> CapturedOf(const Corpus& c, const Tenant& tenant) {
  std::map<std::string, std::string> ids;
  for (const DirectoryRecord& r : OrgFor(tenant).records) ids.emplace(Lower(r.email), r.id);
  std::vector<CapturedEmail> out;
  Epochs epochs = c.epochs();
  c.ForEachMessage(tenant.index, 0, static_cast<int>(epochs.size()), epochs, [&](const MessageHeader& h) {
    Judgement j = Judge(c, h);
    if (j.outcome != Outcome::kCaptured) return;
    CapturedEmail e{j.key, ExpectedFields(h, j, c.Content(h)), {}};
    auto add = [&](const char* type, const Participant& p) {
      auto it = ids.find(Lower(std::string(p.address)));
      if (it == ids.end()) return;
      for (const Relation& r : e.relations) {
        if (r.type == type && r.address == it->first) return;
      }
      e.relations.push_back({type, it->first, it->second});
    };
    add("FromAddress", h.from);
    for (const Participant& p : h.to) add("ToAddress", p);
    for (const Participant& p : h.cc) add("CcAddress", p);
    out.push_back(std::move(e));
  });
  return out;
}

std::string Token(Simulator& sim, const Tenant& t) {
  HttpResponse r = sim.Handle(Request("POST", "/services/oauth2/token", {},
                                      {{"content-type", "application/x-www-form-urlencoded"}},
                                      fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                                                  t.sf_client_id, t.sf_client_secret, t.sf_refresh_token)));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  return Str(Json(p, r)["access_token"]);
}

std::string UrlKey(const std::string& key) {
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// One graph: the email (all fields, or only IsExternallyVisible when it
// exists already) and the relations in `relations`.
void Write(Simulator& sim, const std::string& token, const CapturedEmail& e,
           const std::vector<Relation>& relations, bool exists = false) {
  std::string email_body = exists ? R"("IsExternallyVisible":false)"
                                  : fmt::format(R"("Status":"1","Subject":"{}","TextBody":"{}")",
                                                JsonEscape(e.fields.at("Subject")),
                                                JsonEscape(e.fields.at("Description")));
  std::string nodes = fmt::format(
      R"({{"method":"PATCH","url":"/services/data/v60.0/sobjects/EmailMessage/Crmsync_Key__c/{}","referenceId":"parent","body":{{{}}}}})",
      UrlKey(e.key), email_body);
  int n = 0;
  for (const Relation& r : relations) {
    nodes += fmt::format(
        R"(,{{"method":"PATCH","url":"/services/data/v60.0/sobjects/EmailMessageRelation/Crmsync_Key__c/{}","referenceId":"r{}","body":{{"EmailMessageId":"@{{parent.id}}","RelationType":"{}","RelationAddress":"{}","RelationId":"{}"}}}})",
        UrlKey(e.key + "|" + r.type + "|" + r.address), ++n, r.type, JsonEscape(r.address), r.id);
  }
  HttpResponse resp = sim.Handle(Request("POST", "/services/data/v60.0/composite/graph", {},
                                         {{"authorization", "Bearer " + token}, {"content-type", "application/json"}},
                                         R"({"graphs":[{"graphId":"g","compositeRequest":[)" + nodes + "]}]}"));
  REQUIRE(resp.status == 200);
  INFO(resp.body.substr(0, 600));
  REQUIRE(resp.body.find(R"("isSuccessful":true)") != std::string::npos);
}

}  // namespace

TEST_CASE("verify counts EmailMessages and missing relations for email-message tenants", "[sim][verify][email]") {
  FakeClock clock;
  SimulatorOptions options = Options(1, 3, 12, clock);
  options.email_message_objects = true;
  Simulator sim(options);
  const Tenant& tenant = sim.corpus().tenants()[0];
  auto emails = CapturedOf(sim.corpus(), tenant);
  REQUIRE(emails.size() > 3);
  REQUIRE_FALSE(emails.front().relations.empty());
  const auto total = static_cast<std::int64_t>(emails.size());

  simdjson::dom::parser p;
  auto verify = [&] { return Json(p, sim.Handle(Request("GET", "/_sim/verify"))); };
  CHECK(int64_t(verify()["missing"]) == total);
  CHECK(int64_t(verify()["relations_missing"]) == 0);

  const std::string token = Token(sim, tenant);
  std::vector<Relation> first_relations = emails.front().relations;
  Relation left_out = first_relations.back();
  first_relations.pop_back();
  Write(sim, token, emails.front(), first_relations);
  for (std::size_t i = 1; i < emails.size(); ++i) Write(sim, token, emails[i], emails[i].relations);

  auto v = verify();
  CHECK(int64_t(v["expected"]) == total);
  CHECK(int64_t(v["present"]) == total);
  CHECK(int64_t(v["missing"]) == 0);
  CHECK(int64_t(v["duplicates"]) == 0);
  CHECK(int64_t(v["unexpected"]) == 0);
  CHECK(int64_t(v["mismatched"]) == 0);
  CHECK(int64_t(v["relations_missing"]) == 1);
  CHECK(int64_t(v["tenants"]["tenant-1"]["relations_missing"]) == 1);

  // The email exists (sent, so its fields are read-only): the relation is
  // added in a graph that only touches IsExternallyVisible.
  Write(sim, token, emails.front(), {left_out}, /*exists=*/true);
  auto after = verify();
  CHECK(int64_t(after["relations_missing"]) == 0);
  CHECK(int64_t(after["duplicates"]) == 0);
}

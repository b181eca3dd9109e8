// /_sim/verify against tasks written through the simulated Salesforce's own
// upsert endpoint; /_sim/expected; the configuration writer.
#include <toml++/toml.h>

#include "config_writer.hpp"
#include "ground_truth.hpp"
#include "json_escape.hpp"
#include "sim_test_support.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

struct Captured {
  std::string key;
  ExpectedTask fields;
};

std::vector<Captured> CapturedOf(const Corpus& c, int tenant) {
  std::vector<Captured> out;
  Epochs epochs = c.epochs();
  c.ForEachMessage(tenant, 0, static_cast<int>(epochs.size()), epochs, [&](const MessageHeader& h) {
    Judgement j = Judge(c, h);
    if (j.outcome == Outcome::kCaptured) out.push_back({j.key, ExpectedFields(h, j, c.Content(h))});
  });
  return out;
}

std::string SalesforceToken(Simulator& sim, int tenant) {
  const Tenant& t = sim.corpus().tenants()[static_cast<std::size_t>(tenant)];
  HttpResponse r = sim.Handle(Request("POST", "/services/oauth2/token", {},
                                      {{"content-type", "application/x-www-form-urlencoded"}},
                                      fmt::format("grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                                                  t.sf_client_id, t.sf_client_secret, t.sf_refresh_token)));
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  return Str(Json(p, r)["access_token"]);
}

// TaskSubtype is create-only: an upsert that updates must leave it out.
void Upsert(Simulator& sim, const std::string& token, const std::vector<Captured>& tasks, bool update = false) {
  for (std::size_t start = 0; start < tasks.size(); start += 200) {
    std::string body = R"({"allOrNone":false,"records":[)";
    for (std::size_t i = start; i < std::min(tasks.size(), start + 200); ++i) {
      if (i > start) body += ',';
      body += fmt::format(R"({{"attributes":{{"type":"Task"}},"Crmsync_Key__c":"{}")", JsonEscape(tasks[i].key));
      for (const auto& [field, value] : tasks[i].fields) {
        if (update && field == "TaskSubtype") continue;
        body += fmt::format(R"(,"{}":"{}")", field, JsonEscape(value));
      }
      body += '}';
    }
    body += "]}";
    HttpResponse r = sim.Handle(Request("PATCH", "/services/data/v60.0/composite/sobjects/Task/Crmsync_Key__c", {},
                                        {{"authorization", "Bearer " + token}, {"content-type", "application/json"}},
                                        body));
    REQUIRE(r.status == 200);
    simdjson::dom::parser p;
    for (auto result : Json(p, r).get_array()) {
      INFO(r.body.substr(0, 500));
      REQUIRE(bool(result["success"]));
    }
  }
}

struct Counters {
  std::int64_t expected, present, missing, duplicates, unexpected, mismatched;
};

Counters Verify(Simulator& sim) {
  HttpResponse r = sim.Handle(Request("GET", "/_sim/verify"));
  REQUIRE(r.status == 200);
  REQUIRE(ContentType(r) == "application/json");
  simdjson::dom::parser p;
  auto d = Json(p, r);
  return {d["expected"], d["present"], d["missing"], d["duplicates"], d["unexpected"], d["mismatched"]};
}

}  // namespace

TEST_CASE("verify counts missing, unexpected, duplicate-free and mismatched tasks", "[sim][verify]") {
  FakeClock clock;
  Simulator sim(Options(2, 3, 12, clock));
  auto tenant1 = CapturedOf(sim.corpus(), 0);
  auto tenant2 = CapturedOf(sim.corpus(), 1);
  REQUIRE(tenant1.size() > 5);
  const auto total = static_cast<std::int64_t>(tenant1.size() + tenant2.size());

  Counters nothing = Verify(sim);
  CHECK(nothing.expected == total);
  CHECK(nothing.missing == total);
  CHECK(nothing.present == 0);

  std::string token1 = SalesforceToken(sim, 0), token2 = SalesforceToken(sim, 1);
  Captured omitted = tenant1.back();
  tenant1.pop_back();
  Upsert(sim, token1, tenant1);
  Upsert(sim, token2, tenant2);
  Counters one_missing = Verify(sim);
  CHECK(one_missing.missing == 1);
  CHECK(one_missing.present == total - 1);
  CHECK(one_missing.unexpected == 0);
  CHECK(one_missing.mismatched == 0);

  Upsert(sim, token1, {omitted});
  Counters all = Verify(sim);
  CHECK(all.missing == 0);
  CHECK(all.present == total);
  CHECK(all.duplicates == 0);
  CHECK(all.unexpected == 0);
  CHECK(all.mismatched == 0);

  Captured extra = omitted;
  extra.key = "not-a-real-message@nowhere.example";
  Upsert(sim, token1, {extra});
  CHECK(Verify(sim).unexpected == 1);

  Captured wrong = tenant2.front();
  wrong.fields["Subject"] += " (edited)";
  Upsert(sim, token2, {wrong}, true);
  Counters mismatch = Verify(sim);
  CHECK(mismatch.mismatched == 1);
  CHECK(mismatch.missing == 0);

  simdjson::dom::parser p;
  auto v = Json(p, sim.Handle(Request("GET", "/_sim/verify")));
  CHECK(Str(v["examples"]["mismatched"].at(0)["field"]) == "Subject");
  CHECK(Str(v["examples"]["unexpected"].at(0)) == extra.key);
  CHECK(int64_t(v["tenants"]["tenant-2"]["mismatched"]) == 1);
  CHECK(int64_t(v["tenants"]["tenant-1"]["unexpected"]) == 1);

  auto stats = Json(p, sim.Handle(Request("GET", "/_sim/stats")));
  CHECK(int64_t(stats["endpoints"]["sf.token"]["200"]) == 2);
  CHECK(int64_t(stats["tasks"]) == total + 1);
}

TEST_CASE("expected counts per tenant and after advancing", "[sim][verify]") {
  FakeClock clock;
  Simulator sim(Options(2, 2, 20, clock));
  simdjson::dom::parser p;
  auto doc = Json(p, sim.Handle(Request("GET", "/_sim/expected", {{"tenant", "tenant-2"}})));
  auto counts = doc["tenants"]["tenant-2"];
  CHECK(int64_t(counts["messages"]) == 40);
  CHECK(int64_t(counts["captured"]) == static_cast<std::int64_t>(CapturedOf(sim.corpus(), 1).size()));
  CHECK(int64_t(counts["captured"]) + int64_t(counts["internal_only"]) + int64_t(counts["no_crm_match"]) == 40);
  CHECK(sim.Handle(Request("GET", "/_sim/expected", {{"tenant", "tenant-3"}})).status == 404);

  auto adv = Json(p, sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"messages":3})")));
  CHECK(int64_t(adv["new_messages"]) == 12);
  CHECK(int64_t(adv["expected"]) ==
        static_cast<std::int64_t>(CapturedOf(sim.corpus(), 0).size() + CapturedOf(sim.corpus(), 1).size()));
  CHECK(sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"messages":"x"})")).status == 400);
  CHECK(sim.Handle(Request("POST", "/_sim/advance", {}, {}, R"({"mesages":1})")).status == 400);
  // An empty body advances by one message per mailbox.
  CHECK(int64_t(Json(p, sim.Handle(Request("POST", "/_sim/advance")))["new_messages"]) == 4);
}

TEST_CASE("the written configuration is valid TOML with one block per tenant", "[sim][config]") {
  Corpus corpus(CorpusOptions{4, 3, 2, 1, 0});
  std::string text = RenderConfig(corpus, ConfigTarget{"https://127.0.0.1:5555", "/tmp/ca \"dir\"/ca.pem", "61.0"});
  toml::table config = toml::parse(text);
  auto* tenants = config["tenants"].as_array();
  REQUIRE(tenants != nullptr);
  REQUIRE(tenants->size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const Tenant& t = corpus.tenants()[i];
    auto& block = *tenants->at(i).as_table();
    CHECK(block["id"].value<std::string>() == t.id);
    CHECK(block["domains"].as_array()->size() == t.domains.size());
    CHECK(block["microsoft"]["tenant_id"].value<std::string>() == t.ms_tenant_id);
    CHECK(block["microsoft"]["client_secret"].value<std::string>() == t.ms_client_secret);
    CHECK(block["microsoft"]["graph_url"].value<std::string>() == "https://127.0.0.1:5555");
    CHECK(block["microsoft"]["ca_file"].value<std::string>() == "/tmp/ca \"dir\"/ca.pem");
    CHECK(block["salesforce"]["refresh_token"].value<std::string>() == t.sf_refresh_token);
    CHECK(block["salesforce"]["api_version"].value<std::string>() == "61.0");
  }
  CHECK(RenderConfig(corpus, ConfigTarget{"http://127.0.0.1:1", "", "60.0"}).find("ca_file") == std::string::npos);
}

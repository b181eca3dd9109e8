// crmsync retry --quarantined on a per-user tenant, against a scripted
// Salesforce: each writer's records go out with that writer's own session
// only; writers who cannot write (no authorization recorded, grant refused,
// unknown to the state) keep their entries exactly as they were.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <simdjson.h>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/quarantine.hpp"
#include "crmsync/engine/run_report.hpp"
#include "crmsync/engine/secrets.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"
#include "scripted_transport.hpp"
#include "temp_dir.hpp"

using namespace crmsync;
using crmsync::testing::ScriptedTransport;
using crmsync::testing::TempDir;

namespace {

constexpr const char* kConfig = R"(
[[tenants]]
id = "acme"
domains = ["acme.example"]
authorization = "per_user"
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "mail-secret"
[tenants.salesforce]
client_id = "sc"
client_secret = "sf-consumer-secret"
)";

// Refresh token -> (access token, Salesforce user id); "bob-token" is refused.
const std::map<std::string, std::pair<std::string, std::string>> kSessions = {
    {"cat-token", {"cat-session", "005CAT"}}, {"dan-token", {"dan-session", "005DAN"}}};

std::string Header(const http::Request& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

bool IsGrant(const http::Request& request) { return request.url.find("/services/oauth2/token") != std::string::npos; }

// The OwnerIds of an upsert body, in order.
std::vector<std::string> Owners(const std::string& body) {
  std::vector<std::string> owners;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array records;
  if (parser.parse(body).get(doc) || doc["records"].get(records)) return owners;
  for (simdjson::dom::element record : records) {
    std::string_view owner;
    owners.emplace_back(record["OwnerId"].get(owner) ? "" : std::string(owner));
  }
  return owners;
}

http::Response Answer(const http::Request& request) {
  if (IsGrant(request)) {
    const auto form = crmsync::testing::DecodeForm(request.body);
    const auto token = form.count("refresh_token") ? form.at("refresh_token") : "";
    auto session = kSessions.find(token);
    if (session == kSessions.end()) {
      return crmsync::testing::Reply(
          400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
    }
    return crmsync::testing::Reply(
        200, R"({"access_token":")" + session->second.first +
                 R"(","signature":"c2ln","scope":"id api refresh_token",)"
                 R"("instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D/)" +
                 session->second.second + R"(","token_type":"Bearer","issued_at":"1278448384422"})");
  }
  // An upsert: a session may own only its own user's records.
  std::string owner;
  for (const auto& [token, session] : kSessions) {
    if (Header(request, "Authorization") == "Bearer " + session.first) owner = session.second;
  }
  std::string results = "[";
  int i = 0;
  for (const std::string& record_owner : Owners(request.body)) {
    if (i > 0) results += ",";
    results += record_owner == owner && !owner.empty()
                   ? R"({"id":"00T)" + std::to_string(i) + R"(","success":true,"errors":[],"created":true})"
                   : R"({"success":false,"errors":[{"statusCode":"INSUFFICIENT_ACCESS_OR_READONLY",)"
                     R"("message":"not the owner"}]})";
    ++i;
  }
  return crmsync::testing::Reply(200, results + "]");
}

state::QuarantineEntry Entry(const std::string& user, const std::string& key, const std::string& owner) {
  salesforce::UpsertRecord record;
  record.external_id = key;
  record.fields = {{"Subject", "Hello"}, {"OwnerId", owner}};
  return state::QuarantineEntry{"FIELD_CUSTOM_VALIDATION_EXCEPTION", "rule", 1, user, 1,
                                engine::EncodeQuarantinedRecord(record)};
}

state::UserRecord User(const std::string& primary, std::vector<std::string> aliases, const std::string& sf_id) {
  state::UserRecord user;
  user.status = "active";
  user.primary = primary;
  user.aliases = std::move(aliases);
  user.salesforce_user_id = sf_id;
  return user;
}

}  // namespace

TEST_CASE("retry --quarantined, per user: each writer's own session, writers who cannot write keep their entries",
          "[quarantine][per_user]") {
  TempDir dir;
  auto store = state::Store::Open(dir.Sub("state"));
  REQUIRE(store.ok());
  auto box = state::SecretBox::Generate();
  REQUIRE(box.ok());
  auto config = engine::ParseConfig(kConfig, "c.toml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());

  // ann: no authorization recorded; bob: refused (sealed under an alias);
  // cat and dan: working. u9 wrote entries but the state does not know them.
  REQUIRE(store.value()->PutUsers("acme", {{"u1", User("ann@acme.example", {"ann@acme.example"}, "005ANN")},
                                           {"u2", User("bob@acme.example", {"robert@acme.example"}, "005BOB")},
                                           {"u3", User("cat@acme.example", {}, "005CAT")},
                                           {"u4", User("dan@acme.example", {}, "005DAN")}}).ok());
  auto seal = [&](const std::string& address, const std::string& token) {
    REQUIRE(engine::StoreSealedSecret(*store.value(), box.value(), "acme", engine::SalesforceUserRefreshSecret(address),
                                      token).ok());
  };
  seal("robert@acme.example", "bob-token");
  seal("cat@acme.example", "cat-token");
  seal("dan@acme.example", "dan-token");
  state::CheckpointBatch batch;
  batch.quarantine.emplace_back("acme", "k-ann", Entry("u1", "k-ann", "005ANN"));
  batch.quarantine.emplace_back("acme", "k-ghost", Entry("u9", "k-ghost", "005GHOST"));
  for (int i = 0; i < 201; ++i) {   // more than one request's worth
    const std::string key = "k-bob-" + std::to_string(i);
    batch.quarantine.emplace_back("acme", key, Entry("u2", key, "005BOB"));
  }
  for (int i = 0; i < 203; ++i) {
    const std::string key = "k-cat-" + std::to_string(i);
    batch.quarantine.emplace_back("acme", key, Entry("u3", key, "005CAT"));
  }
  batch.quarantine.emplace_back("acme", "k-dan", Entry("u4", "k-dan", "005DAN"));
  REQUIRE(store.value()->Commit(batch).ok());

  ScriptedTransport transport(Answer);
  engine::RunOptions options;
  options.secrets = &box.value();
  const auto report = engine::RetryQuarantined(config.value(), options, transport, *store.value(), "");
  const std::string text = report.ToText();
  INFO(text);
  CHECK(report.exit_code == engine::kExitPartial);
  REQUIRE(report.tenants.size() == 1);
  const auto& acme = report.tenants[0];
  CHECK(acme.quarantined == 1 + 1 + 201 + 203 + 1);
  CHECK(acme.written == 203 + 1);
  CHECK(acme.failed_again == 0);
  CHECK(acme.not_sent == 1 + 1 + 201);
  CHECK_THAT(text, Catch::Contains("user ann@acme.example: 1 records not sent, kept in the quarantine: no Salesforce "
                                   "authorization recorded (crmsync connect salesforce --tenant acme --user "
                                   "ann@acme.example)"));
  CHECK_THAT(text, Catch::Contains("user u9: 1 records not sent, kept in the quarantine: the user is not in the "
                                   "state's users"));
  CHECK_THAT(text, Catch::Contains("user bob@acme.example: 201 records not sent, kept in the quarantine: Salesforce "
                                   "refused the user's authorization: invalid_grant: expired access/refresh token"));
  for (const char* secret :
       {"bob-token", "cat-token", "dan-token", "cat-session", "dan-session", "sf-consumer-secret"}) {
    CHECK_THAT(text, !Catch::Contains(secret));
  }

  // Every upsert went out with the session of its records' owner: cat's 203
  // in two requests, dan's one in its own; nothing with bob's, none for ann.
  std::map<std::string, std::size_t> records_by_session;
  for (const auto& request : transport.requests()) {
    if (IsGrant(request)) continue;
    const auto owners = Owners(request.body);
    REQUIRE_FALSE(owners.empty());
    const std::string session = Header(request, "Authorization");
    for (const auto& owner : owners) CHECK(owner == (session == "Bearer cat-session" ? "005CAT" : "005DAN"));
    records_by_session[session] += owners.size();
  }
  CHECK(records_by_session == std::map<std::string, std::size_t>{{"Bearer cat-session", 203},
                                                                 {"Bearer dan-session", 1}});

  // Written: in the ledger, out of the quarantine. Not sent: untouched.
  auto left = store.value()->ListQuarantine("acme");
  REQUIRE(left.ok());
  CHECK(left.value().size() == 1 + 1 + 201);
  for (const auto& [key, entry] : left.value()) {
    INFO(key);
    CHECK(key.rfind("k-cat-", 0) != 0);
    CHECK(key != "k-dan");
    CHECK(entry.attempts == 1);
    CHECK(entry.updated_unix_ms == 1);
    CHECK(entry.error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  }
  auto cat = store.value()->GetLedger("acme", "k-cat-202");
  REQUIRE(cat.ok());
  REQUIRE(cat.value().has_value());
  CHECK(cat.value()->first_seen_user == "u3");
  CHECK(store.value()->CountLedger("acme").value() == 204);
}
